import { readFileSync } from 'node:fs';
/** Port checks for the dev scripts: is it free, find a free one, wait until it accepts. */
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The error code when `port` cannot be bound on any address (EADDRINUSE, EACCES), else undefined. */
function portProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    // No host: binds the unspecified address, which collides with a listener on any address.
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export interface PortClaim {
  port: number;
  what: string;
  /** The environment variable that moves it. */
  envVar: string;
}

/** Throws one message naming every port that is taken, and how to move it. */
export async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  const problems: string[] = [];
  for (const claim of claims) {
    const code = await portProblem(claim.port);
    if (code === undefined) continue;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${code})`;
    problems.push(
      `port ${claim.port} (${claim.what}) ${why} — stop whatever holds it, or set ${claim.envVar}=<port>`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `${problems.join('\n  ')}\n  (Is another \`npm start\` running? \`ss -ltnp | grep <port>\` shows the owner.)`,
    );
  }
}

/** Whether 127.0.0.1:`port` can be listened on now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1' }, () => server.close(() => resolve(true)));
  });
}

/** The lowest port the kernel hands out on its own (for `listen(0)` and outgoing connections). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > MIN_PORT + 1_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const MIN_PORT = 20_000;

/**
 * A port that was free a moment ago on 127.0.0.1, from below the kernel's ephemeral range: a
 * server that picks its own ports with `listen(0)` (the Temporal dev server does for its
 * internal services, again on every restart) or any outgoing connection can never be given
 * it in the meantime. The OS picks one only when that range has no free port.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = MIN_PORT + Math.floor(Math.random() * (high - MIN_PORT));
    if (await canListen(port)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Hands out free ports, each distinct from those it handed out before: for services about to
 * start together, so that none is given a port another was given but has not bound yet.
 */
export function portPicker(): () => Promise<number> {
  const given = new Set<number>();
  return async () => {
    for (;;) {
      const port = await freePort();
      if (given.has(port)) continue;
      given.add(port);
      return port;
    }
  };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitOptions {
  host?: string;
  port: number;
  what: string;
  timeoutMs: number;
  /** Returns a reason to give up early, e.g. "exited with code 1". */
  abortReason?: () => string | undefined;
}

/** Resolves once `host:port` accepts a TCP connection; rejects on timeout or abort. */
export async function waitForPort(opts: WaitOptions): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    const reason = opts.abortReason?.();
    if (reason)
      throw new Error(
        `${opts.what} ${reason} before it accepted connections on ${host}:${opts.port}`,
      );
    if (await canConnect(host, opts.port)) return;
    if (performance.now() > deadline) {
      throw new Error(
        `${opts.what} did not accept connections on ${host}:${opts.port} within ${Math.round(opts.timeoutMs / 1000)} s`,
      );
    }
    await sleep(100);
  }
}
