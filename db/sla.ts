/**
 * When a process that entered a state is overdue there: the due instant the read model stores
 * beside the row (`sla_due_at`), computed alike by the worker's projection and by the API when
 * it writes the row of a process it just started.
 */
import { DEFAULT_SLAS, type SlaTable, type SlaTarget } from '../machines/sla.js';
import { addWorkingDays, type HolidayRegion } from './working-days.js';

const HOUR = 3_600_000;

export interface SlaPolicy {
  /** Whose public holidays are no working days. */
  readonly region: HolidayRegion;
  /** Every type and state with a target. */
  readonly states: readonly { readonly type: string; readonly state: string }[];
  /** The target of a type's leaf state, if it has one. */
  targetOf(type: string, state: string): SlaTarget | undefined;
  /** When a process that entered `state` at `enteredAt` (ISO) is overdue; null: no target. */
  dueAt(type: string, state: string, enteredAt: string): string | null;
}

export function slaPolicy(
  targets: SlaTable = DEFAULT_SLAS,
  region: HolidayRegion = 'BUND',
): SlaPolicy {
  const targetOf = (type: string, state: string): SlaTarget | undefined =>
    Object.hasOwn(targets, type) && Object.hasOwn(targets[type]!, state)
      ? targets[type]![state]
      : undefined;
  return {
    region,
    states: Object.entries(targets).flatMap(([type, states]) =>
      Object.keys(states).map((state) => ({ type, state })),
    ),
    targetOf,
    dueAt(type, state, enteredAt) {
      const target = targetOf(type, state);
      const from = Date.parse(enteredAt);
      if (!target || Number.isNaN(from)) return null;
      const due =
        'hours' in target
          ? from + target.hours * HOUR
          : addWorkingDays(from, target.workingDays, region);
      return new Date(due).toISOString();
    },
  };
}

/** The defaults with the nationwide holidays: what runs without `PRAXISFLOW_SLA…`. */
export const DEFAULT_SLA_POLICY: SlaPolicy = slaPolicy();
