import { accountCredentialsVersions } from './account-credentials.versions.js';
import { cardMigrations, cardVersions } from './card.versions.js';
import { contactVerificationVersions } from './contact-verification.versions.js';
import { documentDeliveryVersions } from './document-delivery.versions.js';
import { ehbaApplicationVersions } from './ehba-application.versions.js';
import { invitationMigrations, invitationVersions } from './invitation.versions.js';
import { mtanRegistrationVersions } from './mtan-registration.versions.js';
import { nightlyDigestVersions } from './nightly-digest.versions.js';
import type { AnyMigration } from './migration-definition.js';
import type { ProcessDefinition } from './process-definition.js';
import { refusedActors } from './promise-activity.js';

/** Every process type with every machine version, newest last. */
const definitions: readonly ProcessDefinition[] = [
  ...invitationVersions,
  ...ehbaApplicationVersions,
  ...cardVersions,
  ...contactVerificationVersions,
  ...nightlyDigestVersions,
  ...documentDeliveryVersions,
  ...accountCredentialsVersions,
  ...mtanRegistrationVersions,
];

/** Every migration between two versions of a type, each from N to N + 1. */
const migrations: readonly AnyMigration[] = [...invitationMigrations, ...cardMigrations];

for (const migration of migrations) {
  if (migration.to !== migration.from + 1) {
    throw new Error(
      `A migration of ${migration.type} goes from N to N + 1, not ${migration.from} → ${migration.to}`,
    );
  }
}

/** The migrations of one process type, oldest first. */
export function migrationsOf(type: string): AnyMigration[] {
  return migrations.filter((migration) => migration.type === type).sort((a, b) => a.from - b.from);
}

// A process id is `{type}-{businessKey}`: a type is one camelCase word, so the part before the
// first `-` is always the type.
for (const { type } of definitions) {
  if (!/^[a-z][A-Za-z0-9]*$/.test(type))
    throw new Error(`Process type "${type}" must be camelCase`);
}

// An actor the engine cannot run durably fails the registration, not a workflow task later.
for (const { type, version, machine } of definitions) {
  const refusals = refusedActors(machine);
  if (refusals.length > 0) {
    throw new Error(
      `Process type ${type} v${version} cannot be registered:\n${refusals.join('\n')}`,
    );
  }
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
