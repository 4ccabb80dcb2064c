/**
 * Finds processes that carry a marker in their environment (Linux /proc) — used by `npm test`
 * to stop what the tests started and left running (e.g. a time-skipping test server whose
 * environment was never torn down because a test file crashed), and by every script that starts
 * services to stop what an earlier run left behind when it was killed outright (SIGKILL, a
 * closed terminal): each supervised service names the process that started it in
 * {@link OWNER_MARK}, and a service whose owner is gone is a stray.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from './cache.js';

interface Found {
  pid: number;
  command: string;
}

function inspect(entry: string, mark: string): Found | undefined {
  const pid = Number(entry);
  if (!Number.isInteger(pid) || pid === process.pid) return undefined;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    if (!environ.split('\0').includes(mark)) return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
    return { pid, command };
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The environment variable by which a supervised service names the process that started it. */
export const OWNER_MARK = 'PRAXISFLOW_STARTED_BY';

/** `/proc/<pid>/stat` fields after the command (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `pid:start time`: a process id alone may be reused by the time someone reads it. */
export function ownerId(pid = process.pid): string {
  return `${pid}:${statFields(pid)?.[19] ?? '?'}`;
}

function ownerGone(owner: string): boolean {
  const pid = Number(owner.split(':', 1)[0]);
  return !Number.isInteger(pid) || pid <= 0 || ownerId(pid) !== owner;
}

/**
 * Stops every process group that holds a service whose owner no longer runs: SIGTERM, then
 * SIGKILL after `graceMs`. Answers what it stopped (pid and command), for the log.
 */
export async function stopOrphanedServices(graceMs = 5_000): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // not Linux
  }
  const ownGroup = statFields(process.pid)?.[2];
  const groups = new Map<number, string>();
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let owner: string | undefined;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      owner = environ
        .find((line) => line.startsWith(`${OWNER_MARK}=`))
        ?.slice(OWNER_MARK.length + 1);
    } catch {
      continue; // gone, or not ours to read
    }
    if (!owner || !ownerGone(owner)) continue;
    const group = statFields(pid)?.[2];
    if (!group || group === ownGroup || groups.has(Number(group))) continue;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
    groups.set(Number(group), `${pid} ${command.slice(0, 100)}`);
  }
  if (groups.size === 0) return [];
  for (const group of groups.keys()) signal(-group, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while ([...groups.keys()].some(alive) && Date.now() < deadline) await sleep(100);
  for (const group of groups.keys()) signal(-group, 'SIGKILL');
  return [...groups.values()];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERMs (then SIGKILLs) every process whose environment contains `name=value`. */
export async function stopMarkedProcesses(name: string, value: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // not Linux
  }
  const found = entries
    .map((entry) => inspect(entry, `${name}=${value}`))
    .filter((p): p is Found => p !== undefined);
  if (found.length === 0) return [];
  for (const { pid } of found) signal(pid, 'SIGTERM');
  await sleep(2_000);
  for (const { pid } of found) signal(pid, 'SIGKILL');
  return found.map(({ pid, command }) => `${pid} ${command.slice(0, 100)}`);
}
