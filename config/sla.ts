import type { AnyStateMachine } from 'xstate';
import { definitionOf, processTypes } from '../machines/registry.js';
import { DEFAULT_SLAS, type SlaTable, type SlaTarget } from '../machines/sla.js';
import { slaPolicy, type SlaPolicy } from '../db/sla.js';
import { HOLIDAY_REGIONS, type HolidayRegion } from '../db/working-days.js';
import { ConfigError } from './env.js';

interface StateNodeLike {
  readonly path: readonly string[];
  readonly type: string;
  readonly states: Readonly<Record<string, StateNodeLike>>;
}

/** Leaf state paths of every version of a type that are not final: where a target can apply. */
function waitingStates(type: string): Set<string> {
  const found = new Set<string>();
  const walk = (node: StateNodeLike): void => {
    const children = Object.values(node.states);
    if (children.length === 0 && node.type !== 'final') found.add(node.path.join('.'));
    children.forEach(walk);
  };
  for (let version = 1; ; version += 1) {
    const definition = definitionOf(type, version);
    if (!definition) break;
    walk((definition.machine as AnyStateMachine).root as unknown as StateNodeLike);
  }
  return found;
}

const TARGET = /^(\d{1,3})\s*(wd|h)$/;

/**
 * The service levels of this deployment: the defaults, changed by `PRAXISFLOW_SLA`
 * (`invitation.requested=3wd,ehbaApplication.documentsReceived=72h,…`; `wd` working days, `h`
 * hours, `off` drops a default), and whose holidays count, `PRAXISFLOW_SLA_HOLIDAYS` (a Land's
 * code such as `NW`, or `BUND` for the nationwide ones only, the default). Refuses an unknown
 * type, a state the type does not have or that ends it, and a malformed target.
 */
export function slaConfig(env: NodeJS.ProcessEnv = process.env): SlaPolicy {
  const issues: { path: string[]; message: string }[] = [];
  const region = (env.PRAXISFLOW_SLA_HOLIDAYS?.trim() || 'BUND').toUpperCase();
  if (!(HOLIDAY_REGIONS as readonly string[]).includes(region)) {
    issues.push({
      path: ['PRAXISFLOW_SLA_HOLIDAYS'],
      message: `"${region}" is no Land: one of ${HOLIDAY_REGIONS.join(', ')} (BUND: nationwide holidays only)`,
    });
  }
  const targets: Record<string, Record<string, SlaTarget>> = Object.fromEntries(
    Object.entries(DEFAULT_SLAS).map(([type, states]) => [type, { ...states }]),
  );
  const entries = (env.PRAXISFLOW_SLA ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const path = ['PRAXISFLOW_SLA', entry];
    const [where = '', value = ''] = entry.split('=').map((part) => part.trim());
    const dot = where.indexOf('.');
    const type = dot === -1 ? where : where.slice(0, dot);
    const state = dot === -1 ? '' : where.slice(dot + 1);
    if (!processTypes().includes(type)) {
      issues.push({ path, message: `"${type}" is no process type: ${processTypes().join(', ')}` });
      continue;
    }
    const states = waitingStates(type);
    if (!states.has(state)) {
      issues.push({
        path,
        message: `"${state}" is no state of ${type} a process waits in: ${[...states].join(', ')}`,
      });
      continue;
    }
    if (value === 'off') {
      delete targets[type]?.[state];
      continue;
    }
    const match = TARGET.exec(value);
    if (!match || Number(match[1]) === 0) {
      issues.push({
        path,
        message: `"${value}" is no target like 2wd (working days), 48h (hours) or off`,
      });
      continue;
    }
    targets[type] = {
      ...targets[type],
      [state]: match[2] === 'wd' ? { workingDays: Number(match[1]) } : { hours: Number(match[1]) },
    };
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return slaPolicy(targets as SlaTable, region as HolidayRegion);
}
