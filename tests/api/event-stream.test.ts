import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack();
});

afterAll(async () => {
  await api?.stop();
});

const OWN = 'BSNR-111111111';
const FOREIGN = 'BSNR-222222222';

interface Frame {
  readonly id?: number;
  readonly event?: string;
  readonly data?: { id: string; type: string; data: Record<string, unknown> } & Record<
    string,
    unknown
  >;
}

/** An open stream as a client reads it: its answer, and the frames so far. */
interface Stream {
  readonly status: number;
  readonly headers: Headers;
  readonly frames: Frame[];
  /** Resolves once a frame matches (or fails after `timeoutMs`). */
  waitFor(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

function parse(block: string): Frame | undefined {
  const frame: Record<string, unknown> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith('id: ')) frame.id = Number(line.slice(4));
    else if (line.startsWith('event: ')) frame.event = line.slice(7);
    else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
  }
  return frame.event ? (frame as Frame) : undefined;
}

async function openStream(
  query: string,
  options: { key?: string | null; lastEventId?: number } = {},
): Promise<Stream> {
  const abort = new AbortController();
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? api.adminKey : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(`${api.baseUrl}/api/v1/events/stream${query}`, {
    headers,
    signal: abort.signal,
  });
  const frames: Frame[] = [];
  const waiting = new Set<() => void>();
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = parse(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (frame) frames.push(frame);
        }
        for (const wake of waiting) wake();
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    frames,
    ended,
    close: () => abort.abort(),
    waitFor: (match, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.find(match);
          if (!found) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no such frame within ${timeoutMs} ms: ${JSON.stringify(frames)}`));
        }, timeoutMs);
        waiting.add(check);
        check();
      }),
  };
}

async function startInvitation(practiceId: string, key = api.adminKey): Promise<string> {
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    key,
    body: {
      input: {
        salutation: 'Frau',
        firstName: 'Ada',
        lastName: 'Roth',
        email: `ada.${randomBytes(4).toString('hex')}@praxis.example`,
        practiceId,
      },
    },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function revoke(processId: string): Promise<void> {
  const revoked = await api.request('POST', `/api/v1/processes/${processId}/events`, {
    body: { type: 'INVITATION_REVOKED' },
  });
  expect(revoked.status).toBe(200);
}

const of = (processId: string) => (frame: Frame) => frame.data?.data?.processId === processId;

describe('the live stream of process events', () => {
  it('when an invitation starts and is revoked, then an open stream receives its events in order with consecutive ids, the payload of the webhooks', async () => {
    const stream = await openStream('');
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toContain('no-cache');
    expect(stream.headers.get('x-accel-buffering')).toBe('no');

    const id = await startInvitation(OWN);
    await stream.waitFor((frame) => of(id)(frame) && frame.event === 'process.started');
    await revoke(id);
    await stream.waitFor((frame) => of(id)(frame) && frame.event === 'process.ended');
    stream.close();

    const mine = stream.frames.filter(of(id));
    expect(mine.map((frame) => frame.event)).toEqual([
      'process.started',
      'process.transitioned',
      'process.ended',
    ]);
    // Only this process moved: the ids follow each other without a hole.
    const ids = stream.frames.map((frame) => frame.id!);
    expect(ids).toEqual(ids.map((_, index) => ids[0]! + index));
    expect(mine[0]!.data).toMatchObject({
      type: 'process.started',
      data: { processId: id, processType: 'invitation', practiceId: OWN, status: 'active' },
    });
    expect(mine[2]!.data!.data.status).not.toBe('active');
    // The same event id as the webhook's, and nothing of the invitee.
    expect(mine[0]!.data!.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(JSON.stringify(mine)).not.toMatch(/Roth|praxis\.example/);
  });

  it('when a client reconnects with Last-Event-ID after events happened meanwhile, then it receives exactly the missed events, once each', async () => {
    const first = await openStream('');
    const id = await startInvitation(OWN);
    const started = await first.waitFor(of(id));
    first.close();
    await first.ended;

    await revoke(id);
    // The process has ended in the read model: its events are recorded.
    await expect
      .poll(async () => (await api.request('GET', `/api/v1/processes/${id}`)).body.status, {
        timeout: 20_000,
      })
      .not.toBe('active');

    const again = await openStream('?timeout=2', { lastEventId: started.id! });
    await again.ended;
    expect(
      again.frames.map((frame) => [frame.id, frame.event, frame.data?.data.processId]),
    ).toEqual([
      [started.id! + 1, 'process.transitioned', id],
      [started.id! + 2, 'process.ended', id],
    ]);
  });

  it('when a client key follows the stream, then it sees its practices’ processes only', async () => {
    const clientKey = await api.createKey('client', [OWN]);
    const stream = await openStream('?types=process.started', { key: clientKey });
    const foreign = await startInvitation(FOREIGN);
    const own = await startInvitation(OWN);
    await stream.waitFor(of(own));
    // The foreign one started first: had it been sent, it would be here already.
    stream.close();
    expect(stream.frames.some(of(foreign))).toBe(false);
    expect(stream.frames.every((frame) => frame.data?.data.practiceId === OWN)).toBe(true);
  });

  it('when a stream token is used, then it opens one stream, and neither a used nor an expired token opens another', async () => {
    const issue = async (): Promise<string> => {
      const issued = await api.request('POST', '/api/v1/events/stream-tokens');
      expect(issued.status).toBe(201);
      expect(issued.body.token).toMatch(/^est_/);
      return issued.body.token as string;
    };
    const token = await issue();
    const opened = await openStream(`?token=${token}&timeout=1`, { key: null });
    expect(opened.status).toBe(200);
    await opened.ended;

    const reused = await openStream(`?token=${token}&timeout=1`, { key: null });
    expect(reused.status).toBe(401);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');

    const expiring = await issue();
    await api.database.pool.query(
      `update event_stream_tokens set expires_at = now() - interval '1 second'`,
    );
    const expired = await openStream(`?token=${expiring}&timeout=1`, { key: null });
    expect(expired.status).toBe(401);
  });

  it('when a key has 5 streams open, then a sixth is refused with 429, and one closed frees its place', async () => {
    const key = await api.createKey('operator');
    const open = await Promise.all(Array.from({ length: 5 }, () => openStream('', { key })));
    expect(open.map((stream) => stream.status)).toEqual([200, 200, 200, 200, 200]);

    const sixth = await openStream('', { key });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('content-type')).toContain('application/problem+json');
    expect(sixth.headers.get('retry-after')).not.toBeNull();

    open[0]!.close();
    await expect
      .poll(async () => {
        const next = await openStream('?timeout=1', { key });
        next.close();
        return next.status;
      })
      .toBe(200);
    for (const stream of open) stream.close();
  });

  it('when Last-Event-ID is older than the retention, then the stream says so with a gap event before the oldest kept', async () => {
    const id = await startInvitation(OWN);
    await expect
      .poll(async () => {
        const { rows } = await api.database.pool.query<{ seq: string }>(
          'select seq from process_events where process_id = $1',
          [id],
        );
        return rows.length;
      })
      .toBe(1);
    const { rows } = await api.database.pool.query<{ seq: string }>(
      'select seq from process_events where process_id = $1',
      [id],
    );
    const kept = Number(rows[0]!.seq);
    // Retention deleted everything before this process's start.
    await api.database.pool.query('update process_events_pruned set through = $1', [kept - 1]);
    try {
      const stream = await openStream('?timeout=1', { lastEventId: 0 });
      await stream.ended;
      expect(stream.frames[0]).toMatchObject({
        id: kept - 1,
        event: 'gap',
        data: { lastEventId: 0, resumesAfter: kept - 1 },
      });
      expect(stream.frames[1]).toMatchObject({ id: kept, event: 'process.started' });
    } finally {
      await api.database.pool.query('update process_events_pruned set through = 0');
    }
  });
});
