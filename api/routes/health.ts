import { Router } from 'express';
import { connect } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Pool } from '../../db/pool.js';

export interface HealthDeps {
  readonly client: Client;
  readonly namespace: string;
  readonly database: Pool;
  /** SMTP relay to probe, as host and port. */
  readonly smtp?: { readonly host: string; readonly port: number };
}

type PartStatus = { status: 'up' } | { status: 'down'; detail: string };

const TIMEOUT_MS = 2000;

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(check: () => Promise<unknown>, what: string): Promise<PartStatus> {
  try {
    await withTimeout(check(), what);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
  }
}

const tcpReachable = (host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });

export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const parts: Record<string, PartStatus> = {
      temporal: await probe(
        () => deps.client.workflowService.describeNamespace({ namespace: deps.namespace }),
        'Temporal',
      ),
      postgres: await probe(() => deps.database.query('select 1'), 'Postgres'),
    };
    if (deps.smtp) {
      const { host, port } = deps.smtp;
      parts.smtp = await probe(() => tcpReachable(host, port), 'SMTP');
    }
    const healthy = Object.values(parts).every((part) => part.status === 'up');
    if (!healthy) res.set('Retry-After', '5');
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'up' : 'down', parts });
  });
  return router;
}
