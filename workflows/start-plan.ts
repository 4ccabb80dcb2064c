/**
 * How a process starts, decided in one place for every way one starts: the generic start route
 * of the API, the upload of a document, and a process that starts another (a card from its
 * approved application). Pure and workflow-safe: randomness, the clock and the keyed hash come
 * in as arguments — a CSPRNG and the wall clock in the API, Temporal's seeded generator and
 * workflow time in a workflow, so a replayed child start draws the same number again.
 */
import type { SearchAttributePair } from '@temporalio/common';
import type { ProcessDefinition } from '../machines/process-definition.js';
import { schemaForPayload } from '../machines/secrets.js';
import { startSearchAttributes } from './interpreter/search-attributes.js';
import { processIdOf } from './protocol.js';

/**
 * Draws of an issued number (Antragsnummer, card number, document number) before a clash with
 * a running process is reported: a clash is already one in 10^11.
 */
export const START_DRAWS = 3;

export interface StartRequest {
  /**
   * `api`: a caller of the API, who may not choose a business key the type derives or issues.
   * `process`: a machine starting another process, whose input may carry the key it chose
   * (an exchange card keeps its card number).
   */
  readonly origin: 'api' | 'process';
  /** The process's input as given (secret fields clear from the API, sealed from a process). */
  readonly input: unknown;
  /** The business key a caller chose, for types that neither derive nor issue one. */
  readonly businessKey?: string;
  /** The practice a caller named; must agree with the one the input names. */
  readonly practiceId?: string;
}

export interface StartSources {
  readonly now: Date;
  /** Uniform in [0, 1): draws issued numbers. */
  readonly random: () => number;
  /** A fresh unique key (a UUID) for types whose business key is neither given nor issued. */
  readonly newKey: () => string;
  /**
   * Keyed hash of the parts of a business key made of personal data (practice + email), so
   * that the key is stable but unreadable. Only the API holds the secret.
   */
  readonly keyedHash?: (parts: readonly string[]) => string;
}

export interface StartPlan {
  readonly businessKey: string;
  /** The workflow id, `{type}-{businessKey}`. */
  readonly processId: string;
  /** The input parsed by the type's schema, an issued number written into its field. */
  readonly input: unknown;
  readonly practiceId?: string;
  /** Type, business key and practice, as the workflow is started with them. */
  readonly searchAttributes: SearchAttributePair[];
}

/** A start refused before anything happened; `issues` name the fields, as the API reports them. */
export class StartRefusal extends Error {
  constructor(
    readonly detail: string,
    readonly issues: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(`${detail}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`);
    this.name = 'StartRefusal';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Business key, process id, parsed input, practice and search attributes of one start; each
 * call draws afresh, so after a clash the caller plans again. Throws `StartRefusal`.
 */
export function planStart(
  definition: ProcessDefinition,
  request: StartRequest,
  sources: StartSources,
): StartPlan {
  const { type, businessKeyField: keyField, issueBusinessKey: issue } = definition;
  const given = isRecord(request.input) && keyField ? request.input[keyField] : undefined;
  if (request.origin === 'api') {
    if ((definition.businessKeyParts || keyField) && request.businessKey) {
      throw new StartRefusal(`The business key of ${type} is derived from its input`, [
        { path: 'businessKey', message: 'must not be given for this process type' },
      ]);
    }
    if (keyField && issue && given) {
      throw new StartRefusal(`The ${keyField} of ${type} is issued by praxisflow`, [
        {
          path: `input.${keyField}`,
          message: 'must not be given: it is issued when the process starts',
        },
      ]);
    }
  }

  const chosen = request.origin === 'process' && typeof given === 'string' ? given : undefined;
  const issued = keyField && issue ? (chosen ?? issue(sources.random, sources.now)) : undefined;
  const raw =
    issued !== undefined && isRecord(request.input)
      ? { ...request.input, [keyField!]: issued }
      : request.input;
  const parsed = schemaForPayload(definition.input, raw).safeParse(raw);
  if (!parsed.success) {
    throw new StartRefusal(
      `The input of ${type} is invalid`,
      parsed.error.issues.map((issue) => ({
        path: ['input', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  }
  const input = parsed.data;

  const businessKey = issued ?? keyOf(definition, request, sources, input, given);
  const derivedPractice = definition.practiceId?.(input as never);
  if (request.practiceId && derivedPractice && request.practiceId !== derivedPractice) {
    throw new StartRefusal('practiceId differs from the input', [
      { path: 'practiceId', message: `must equal input.practiceId (${derivedPractice})` },
    ]);
  }
  const practiceId = request.practiceId ?? derivedPractice;
  return {
    businessKey,
    processId: processIdOf(type, businessKey),
    input,
    ...(practiceId ? { practiceId } : {}),
    searchAttributes: startSearchAttributes(type, businessKey, practiceId),
  };
}

/** The business key of a type that does not issue one: derived, taken from the input, or new. */
function keyOf(
  definition: ProcessDefinition,
  request: StartRequest,
  sources: StartSources,
  input: unknown,
  given: unknown,
): string {
  const parts = definition.businessKeyParts?.(input as never);
  if (parts) {
    if (!sources.keyedHash) {
      throw new StartRefusal(`The business key of ${definition.type} is a keyed hash`, [
        { path: 'businessKey', message: 'only the API holds the key to derive it' },
      ]);
    }
    return sources.keyedHash(parts);
  }
  if (definition.businessKeyField) {
    const field = isRecord(input) ? input[definition.businessKeyField] : given;
    return typeof field === 'string' ? field : sources.newKey();
  }
  return request.businessKey ?? sources.newKey();
}
