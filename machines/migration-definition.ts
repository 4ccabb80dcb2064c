import type { z } from 'zod';

/**
 * How running instances of one process type move from machine version `from` to `from + 1`:
 * where each state of the old machine lands in the new one, and what the context becomes.
 * Pure: the interpreter plans with it (a dry run) and carries it out as one audited step.
 */
export interface MigrationDefinition<OldContext = never, NewContext = unknown> {
  readonly type: string;
  readonly from: number;
  /** Always `from + 1`: a longer way is a chain of single steps. */
  readonly to: number;
  /**
   * Old leaf state path → new leaf state path (`registration.invited` → `registration.invited`),
   * or why an instance in that state cannot move. A state not listed is refused.
   */
  readonly states: Readonly<Record<string, string | { readonly refuse: string }>>;
  /**
   * The new context from the old one and the old state's leaf paths; checked against
   * `context` before anything moves.
   */
  readonly transform: (context: OldContext, states: readonly string[]) => NewContext;
  /** What a context of the new version must be. */
  readonly context: z.ZodType<NewContext>;
  /**
   * What an operator must know about instances moving from an old state (German, shown in the
   * dry run and kept in the audit entry): a letter that cannot be sent again, a rule that changed.
   */
  readonly notes?: Readonly<Record<string, string>>;
}

/** Any migration, whatever its contexts: what the registry and the interpreter keep. */
export type AnyMigration = MigrationDefinition<never, unknown>;
