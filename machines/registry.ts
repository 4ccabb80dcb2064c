import { invitationProcess } from './invitation.js';
import type { ProcessDefinition } from './process-definition.js';

/** Every process type with every machine version, newest last. */
const definitions: readonly ProcessDefinition[] = [invitationProcess];

export function processTypes(): string[] {
  return [...new Set(definitions.map((definition) => definition.type))];
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
