import type { EventSender, ProcessDefinition } from '../../machines/process-definition.js';
import { latestDefinition, processTypes } from '../../machines/registry.js';
import { startBody } from '../schemas.js';
import type { JsonSchema, SchemaComponents } from './json-schema.js';
import { processExamples } from './process-examples.js';

/** What the document says about one process type (its latest version). */
export interface ProcessTypeDoc {
  readonly type: string;
  readonly title: string;
  readonly version: number;
  /** The business key is a keyed hash of parts of the input; the body may not name one. */
  readonly businessKeyFromInput: boolean;
  /** Processes of this type start through this route, not `POST /api/v1/processes/{type}`. */
  readonly startRoute?: string;
  /** `{Type}StartRequest`: the start body with this type's `input`. */
  readonly startBody: JsonSchema;
  readonly startExample?: unknown;
  /** `{Type}Event`: one of the type's events, `type` beside the payload. */
  readonly eventBody: JsonSchema;
  readonly events: readonly ProcessEventDoc[];
}

interface ProcessEventDoc {
  readonly name: string;
  readonly sender: EventSender;
  /** The whole request body, `type` included. */
  readonly example?: Record<string, unknown>;
}

const SENDERS: Readonly<Record<EventSender, string>> = {
  client: 'Sent by the practice side (client keys) or an admin.',
  operator: 'Sent by the back office (operator keys) or an admin.',
  both: 'Sent by the practice side or the back office.',
  praxisflow:
    "Sent by praxisflow's own routes only (the documents API); the events route refuses it with 403.",
};

/** `invitation` → `Invitation`, `card-renewal` → `CardRenewal`. */
const pascal = (type: string): string =>
  type
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const asObject = (value: unknown): JsonSchema | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonSchema)
    : undefined;

/** A component by its `$ref`, or the inline schema itself. */
function resolved(components: SchemaComponents, schema: JsonSchema): JsonSchema {
  const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
  const name = ref?.startsWith('#/components/schemas/')
    ? ref.slice('#/components/schemas/'.length)
    : undefined;
  return (name && components.schemas[name]) || schema;
}

/** The first example the machine's own schema carries, if any. */
const ownExample = (schema: JsonSchema): unknown =>
  Array.isArray(schema.examples) ? schema.examples[0] : undefined;

/** `type` (a constant) beside the payload's fields. */
function eventSchema(name: string, payload: JsonSchema, sender: EventSender): JsonSchema {
  const typeProperty = { type: 'string', const: name };
  const description = [payload.description, SENDERS[sender]].filter(Boolean).join(' ');
  const { examples: _examples, ...rest } = payload;
  if (payload.type === 'object' && !payload.$ref) {
    return {
      ...rest,
      title: name,
      description,
      properties: { type: typeProperty, ...(asObject(payload.properties) ?? {}) },
      required: ['type', ...(Array.isArray(payload.required) ? payload.required : [])],
    };
  }
  return {
    title: name,
    description,
    allOf: [{ type: 'object', properties: { type: typeProperty }, required: ['type'] }, payload],
  };
}

function documentType(components: SchemaComponents, definition: ProcessDefinition): ProcessTypeDoc {
  const prefix = pascal(definition.type);
  const examples = processExamples[definition.type];

  let input = components.of(definition.input, 'input');
  const inputExample = ownExample(resolved(components, input)) ?? examples?.input;
  if (!input.$ref) input = components.add(`${prefix}Input`, input);

  const generic = resolved(components, components.of(startBody, 'input'));
  // A type that derives its business key from the input refuses one in the body.
  const { businessKey, ...others } = asObject(generic.properties) ?? {};
  const genericProperties = definition.businessKeyParts ? others : { businessKey, ...others };
  const { examples: _examples, ...genericRest } = generic;
  const startSchema = components.add(`${prefix}StartRequest`, {
    ...genericRest,
    description: `Starts a process of type \`${definition.type}\` (${definition.title}).`,
    properties: {
      ...genericProperties,
      input: { ...input, description: `The input of \`${definition.type}\`.` },
    },
    ...(inputExample === undefined ? {} : { examples: [{ input: inputExample }] }),
  });

  const events = Object.entries(definition.events).map(([name, payloadSchema]) => {
    const sender = definition.eventSenders?.[name] ?? 'client';
    const payload = resolved(components, components.of(payloadSchema, 'input'));
    const payloadExample = asObject(ownExample(payload)) ?? examples?.events[name];
    const example = payloadExample ? { type: name, ...payloadExample } : undefined;
    const schema = eventSchema(name, payload, sender);
    const ref = components.add(`${prefix}Event.${name}`, {
      ...schema,
      ...(example ? { examples: [example] } : {}),
    });
    return { doc: { name, sender, ...(example ? { example } : {}) }, ref };
  });
  const eventBody = components.add(`${prefix}Event`, {
    description: `An event for a process of type \`${definition.type}\`: \`type\` and its payload.`,
    oneOf: events.map(({ ref }) => ref),
  });

  return {
    type: definition.type,
    title: definition.title,
    version: definition.version,
    businessKeyFromInput: definition.businessKeyParts !== undefined,
    ...(definition.startRoute ? { startRoute: definition.startRoute } : {}),
    startBody: startSchema,
    ...(inputExample === undefined ? {} : { startExample: { input: inputExample } }),
    eventBody,
    events: events.map(({ doc }) => doc),
  };
}

/** Every registered process type, documented by its latest version. */
export function documentProcessTypes(components: SchemaComponents): ProcessTypeDoc[] {
  return processTypes().flatMap((type) => {
    const definition = latestDefinition(type);
    return definition ? [documentType(components, definition)] : [];
  });
}
