/**
 * Finds processes that carry a marker in their environment (Linux /proc) — used by `npm test`
 * to stop what the tests started and left running (e.g. a time-skipping test server whose
 * environment was never torn down because a test file crashed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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
