import { accountCredentialsProcess } from './account-credentials.js';
import { cardProcess } from './card.js';
import { cardProcessV2 } from './card-v2.js';
import { contactVerificationProcess } from './contact-verification.js';
import { contactVerificationProcessV2 } from './contact-verification-v2.js';
import { documentDeliveryProcess } from './document-delivery.js';
import { documentDeliveryProcessV2 } from './document-delivery-v2.js';
import { documentDeliveryProcessV3 } from './document-delivery-v3.js';
import { ehbaApplicationProcess, ehbaApplicationProcessV2 } from './ehba-application.js';
import { invitationProcess } from './invitation.js';
import { invitationProcessV2 } from './invitation-v2.js';
import { mtanRegistrationProcess } from './mtan-registration.js';
import { nightlyDigestProcess } from './nightly-digest.js';
import type { ProcessDefinition } from './process-definition.js';

/** Every process type with every machine version, newest last. */
const definitions: readonly ProcessDefinition[] = [
  invitationProcess,
  invitationProcessV2,
  ehbaApplicationProcess,
  ehbaApplicationProcessV2,
  cardProcess,
  cardProcessV2,
  contactVerificationProcess,
  contactVerificationProcessV2,
  nightlyDigestProcess,
  documentDeliveryProcess,
  documentDeliveryProcessV2,
  documentDeliveryProcessV3,
  accountCredentialsProcess,
  mtanRegistrationProcess,
];

// A process id is `{type}-{businessKey}`: a type is one camelCase word, so the part before the
// first `-` is always the type.
for (const { type } of definitions) {
  if (!/^[a-z][A-Za-z0-9]*$/.test(type))
    throw new Error(`Process type "${type}" must be camelCase`);
}

/** The process type of a process id (`invitation-4711` → `invitation`). */
export function typeOfProcessId(id: string): string {
  const dash = id.indexOf('-');
  return dash === -1 ? id : id.slice(0, dash);
}

export function processTypes(): string[] {
  return [...new Set(definitions.map((definition) => definition.type))];
}

/** One version of a type: what a running instance started with. */
export function definitionOf(type: string, version: number): ProcessDefinition | undefined {
  return definitions.find(
    (definition) => definition.type === type && definition.version === version,
  );
}

/** The definition new instances of a type start with. */
export function latestDefinition(type: string): ProcessDefinition | undefined {
  return definitions
    .filter((definition) => definition.type === type)
    .reduce<ProcessDefinition | undefined>(
      (latest, definition) =>
        !latest || definition.version > latest.version ? definition : latest,
      undefined,
    );
}
