/**
 * Every HTTP answer of the fault run, counted by kind of request: a dependency being down may
 * cost a 503 with `Retry-After`, never a 500, a 503 without it, or no answer at all.
 */

export interface Answer {
  /** 0: no answer (connection refused, reset, or none within the timeout). */
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly retryAfterS: number | undefined;
}

interface Tally {
  ok: number;
  clientError: number;
  unavailable: number;
  serverError: number;
  noAnswer: number;
  /** Answers that took longer than SLOW_MS. */
  slow: number;
  slowestMs: number;
  latencies: number[];
  /** The slowest few answers, slowest first: when they were asked and what they were. */
  worst: { ms: number; atS: number; status: number }[];
}

const WORST_KEPT = 5;

/**
 * An event's answer waits for its effects 10 s at most (then 202); one that waits for a worker
 * to come back may take longer: slow, and counted so, but an answer.
 */
const REQUEST_TIMEOUT_MS = 180_000;
const SLOW_MS = 30_000;

export class HttpRecorder {
  readonly tallies = new Map<string, Tally>();
  readonly violations: string[] = [];
  /** 202 answers: an event taken whose effects still ran at the deadline. */
  accepted = 0;

  constructor(
    private readonly baseUrl: string,
    /** Seconds since the run began, for the violation messages. */
    private readonly clock: () => number,
  ) {}

  async call(
    kind: string,
    method: string,
    path: string,
    options: { key?: string; body?: unknown } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const startedAtS = this.clock();
    const tally = this.tally(kind);
    let answer: Answer;
    try {
      const response = await fetch(this.baseUrl + path, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const retryAfter = response.headers.get('retry-after');
      answer = {
        status: response.status,
        body: parseBody(text),
        retryAfterS: retryAfter === null ? undefined : Number(retryAfter),
      };
    } catch (error) {
      answer = { status: 0, body: { error: String(error) }, retryAfterS: undefined };
    }
    const ms = performance.now() - started;
    tally.latencies.push(ms);
    tally.slowestMs = Math.max(tally.slowestMs, ms);
    tally.worst.push({ ms, atS: Math.round(startedAtS), status: answer.status });
    tally.worst.sort((a, b) => b.ms - a.ms).splice(WORST_KEPT);
    if (ms > SLOW_MS) tally.slow += 1;
    this.judge(method, path, answer, tally);
    return answer;
  }

  private judge(method: string, path: string, answer: Answer, tally: Tally): void {
    const at = `t=${this.clock().toFixed(0)}s ${method} ${path}`;
    const detail = typeof answer.body.detail === 'string' ? `: ${answer.body.detail}` : '';
    if (answer.status === 0) {
      tally.noAnswer += 1;
      this.violations.push(`${at}: no answer (${String(answer.body.error)})`);
    } else if (answer.status === 503) {
      tally.unavailable += 1;
      if (!(Number(answer.retryAfterS) >= 0)) {
        this.violations.push(`${at}: 503 without Retry-After${detail}`);
      }
    } else if (answer.status >= 500) {
      tally.serverError += 1;
      this.violations.push(`${at}: ${answer.status}${detail}`);
    } else if (answer.status >= 400) {
      tally.clientError += 1;
    } else {
      tally.ok += 1;
      if (answer.status === 202) this.accepted += 1;
    }
  }

  private tally(kind: string): Tally {
    let tally = this.tallies.get(kind);
    if (!tally) {
      tally = {
        ok: 0,
        clientError: 0,
        unavailable: 0,
        serverError: 0,
        noAnswer: 0,
        slow: 0,
        slowestMs: 0,
        latencies: [],
        worst: [],
      };
      this.tallies.set(kind, tally);
    }
    return tally;
  }

  /** The slowest answers of a kind, slowest first (ms rounded). */
  slowest(kind: string): { ms: number; atS: number; status: number }[] {
    return (this.tallies.get(kind)?.worst ?? []).map((entry) => ({
      ...entry,
      ms: Math.round(entry.ms),
    }));
  }

  /** Sums over all kinds of request. */
  total(field: 'ok' | 'clientError' | 'unavailable' | 'serverError' | 'noAnswer' | 'slow'): number {
    let sum = 0;
    for (const tally of this.tallies.values()) sum += tally[field];
    return sum;
  }
}

function parseBody(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { text: text.slice(0, 200) };
  }
}
