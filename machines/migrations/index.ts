import type { AnyMigration } from '../migration-definition.js';
import { cardV1ToV2 } from './card.js';
import { invitationV1ToV2 } from './invitation.js';

/** Every migration between two versions of a process type, each from N to N + 1. */
const migrations: readonly AnyMigration[] = [invitationV1ToV2, cardV1ToV2];

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
