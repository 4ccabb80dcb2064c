/** Console output for the dev scripts: coloured markers, progress lines, prefixed child output. */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const colour =
  process.env.NO_COLOR === undefined &&
  (process.env.FORCE_COLOR !== undefined || process.stdout.isTTY === true);

export type Paint = (text: string) => string;
const paint =
  (code: number): Paint =>
  (text) =>
    colour ? `\x1b[${code}m${text}\x1b[0m` : text;

export const c = {
  bold: paint(1),
  dim: paint(2),
  red: paint(31),
  green: paint(32),
  yellow: paint(33),
  blue: paint(34),
  magenta: paint(35),
  cyan: paint(36),
  gray: paint(90),
};

export const log = {
  step: (msg: string) => console.log(`${c.cyan('▸')} ${msg}`),
  ok: (msg: string) => console.log(`${c.green('✓')} ${msg}`),
  info: (msg: string) => console.log(`  ${msg}`),
  warn: (msg: string) => console.error(`${c.yellow('!')} ${msg}`),
  error: (msg: string) => console.error(`${c.red('✗')} ${msg}`),
};

/** Seconds since `startMs`, one decimal: "12.3 s". */
export function since(startMs: number): string {
  return `${((performance.now() - startMs) / 1000).toFixed(1)} s`;
}

/**
 * Prints "… <what>: 45 s so far (log: <file>)" every `everyMs` while a long step runs.
 * Returns the function that stops it.
 */
export function heartbeat(what: string, logFile: string | undefined, everyMs = 15_000): () => void {
  const start = performance.now();
  const timer = setInterval(() => {
    const secs = Math.round((performance.now() - start) / 1000);
    log.info(c.gray(`… ${what}: ${secs} s so far${logFile ? ` (log: ${logFile})` : ''}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Copies a child's output line by line to our stdout, each line behind `prefix`. */
export function pipeLines(stream: Readable, onLine: (line: string) => void): void {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
}

/** A framed block of `label  value` rows. */
export function box(title: string, rows: Array<[string, string]>, footer?: string): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const body = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const lines = [title, '', ...body, ...(footer ? ['', footer] : [])];
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const inner = Math.max(...lines.map(visible)) + 2;
  const out = [`╭${'─'.repeat(inner)}╮`];
  for (const line of lines) out.push(`│ ${line}${' '.repeat(inner - 1 - visible(line))}│`);
  out.push(`╰${'─'.repeat(inner)}╯`);
  return out.join('\n');
}
