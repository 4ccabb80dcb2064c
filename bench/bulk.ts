/**
 * `npm run bench -- --bulk N` (issue 23): one event for N processes as a bulk action against
 * the same event sent to N other processes one request each, on the same stack in the same run.
 *
 * 2 × N invitations are started through the API and left to rest (their first email out). Then
 * INVITATION_RESENT (a new link, an email, the timers armed anew) goes to the first N through
 * `POST /processes/{id}/events`, 10 at a time (as many as the bulk job acts on at once), and to
 * the other N through one `POST /bulk-actions` (at its highest rate), timed until the job
 * reports every process done. Both sides do the same work per process: the ratio is what the
 * job itself costs or saves.
 */
import { randomBytes } from 'node:crypto';
import { c, log } from '../scripts/lib/log.js';
import { inParallel, untilAllRest, writeResult } from './lib.js';
import { startBenchStack } from './stack.js';

/** As many single requests at once as the bulk job acts on at once. */
const AT_ONCE = 10;

export async function measureBulk(
  env: NodeJS.ProcessEnv,
  options: { processes: number },
): Promise<void> {
  const n = options.processes;
  const stack = await startBenchStack(env);
  const run = randomBytes(3).toString('hex');
  const practiceOf = (side: string) => `BSNR-${side}-${run}`;
  const invite = async (side: string): Promise<string[]> => {
    const ids: string[] = [];
    await inParallel(n, 16, async (i) => {
      const started = await stack.api(
        'POST',
        '/api/v1/processes/invitation',
        {
          input: {
            salutation: 'Frau',
            firstName: 'Erika',
            lastName: `Bulk ${i}`,
            email: `bulk.${side}.${run}.${i}@bench.example`,
            practiceId: practiceOf(side),
          },
        },
        201,
      );
      ids[i] = started.id;
    });
    return ids;
  };
  log.step(`${n} invitations for single events, ${n} for one bulk action`);
  const singles = await invite('single');
  const bulked = await invite('bulk');
  await untilAllRest(stack.client, [...singles, ...bulked]);

  log.step(`single events: ${n} INVITATION_RESENT, ${AT_ONCE} at a time`);
  const singleSeconds = await inParallel(
    n,
    AT_ONCE,
    (i) =>
      stack.api(
        'POST',
        `/api/v1/processes/${singles[i]}/events`,
        { type: 'INVITATION_RESENT' },
        200,
      ),
    'sent',
  );

  log.step(`bulk action: INVITATION_RESENT for ${n} processes`);
  const startedAt = performance.now();
  const job = await stack.api(
    'POST',
    '/api/v1/bulk-actions',
    {
      filter: { type: 'invitation', practiceId: practiceOf('bulk') },
      action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
      ratePerSecond: 200,
    },
    202,
  );
  let counts: Record<string, number> = {};
  for (let shown = 0; ;) {
    const state = (await stack.api('GET', `/api/v1/bulk-actions/${job.id}`, undefined, 200)) as {
      status: string;
      counts: Record<string, number>;
    } & { id: string };
    counts = state.counts;
    if (state.status !== 'running') break;
    if (counts.done! >= shown + n / 10) {
      shown = counts.done!;
      log.info(c.gray(`bulk ${counts.done}/${n}`));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const bulkSeconds = (performance.now() - startedAt) / 1000;
  await stack.close();
  if (counts.done !== n) throw new Error(`the bulk action did only ${JSON.stringify(counts)}`);

  const single = n / singleSeconds;
  const bulk = n / bulkSeconds;
  console.log(`\n${c.bold(`one event for ${n} processes, same stack, same run`)}`);
  const row = (name: string, value: string) =>
    console.log(`  ${name.padEnd(32)} ${value.padStart(9)}`);
  row(`single events (${AT_ONCE} at a time)`, `${single.toFixed(1)}/s`);
  row('bulk action', `${bulk.toFixed(1)}/s`);
  row('ratio', `${(bulk / single).toFixed(2)}×`);
  writeResult('bulk', {
    processes: n,
    singleEventsPerSecond: single,
    singleConcurrency: AT_ONCE,
    bulkPerSecond: bulk,
    ratio: bulk / single,
  });
}
