/**
 * `npm run bench:digest`: one night of the appointment service at scale. N practices (default
 * 5,000) each get a booking and a cancellation; at the digest time every overview goes out.
 * Measured, each against raw Temporal doing the same night on the same servers in the same
 * run (one workflow per practice sleeping until the instant, one activity sending the same
 * email — no machine, no outbox, no read model):
 *
 *  - the night: from the digest time to the last email handed to SMTP;
 *  - how late the emails are (p50, p99 after each practice's own minute) and the send rate;
 *  - worker memory: peak RSS of this process (worker, bench and client) over its level
 *    before the night, and the heap.
 *
 * The practices are spread over 20 minutes as in production (`--jitter-minutes 0`: all at the
 * same minute); lateness counts from each practice's own minute, for both sides alike. Each
 * practice's channel counts as confirmed (a static lookup): the night is measured, not 5,000
 * confirmations. Real Temporal dev server, Postgres (outbox and
 * read model) and mail catcher, thrown away after. Writes bench/results/digest-night.json.
 *
 *   npm run bench:digest -- --practices 5000 --jitter-minutes 20 --lead-seconds 180
 *
 * `--profile` runs it under V8's CPU profiler and prints, for each side's reports and night,
 * where the CPU time went (bench/profile-summary.ts).
 */
import {
  inParallel,
  keepBundleForProfiles,
  profileWindows,
  profileDir,
  profiledRerun,
  profiling,
  quantile,
  rawWorkflowBundle,
  withThrowawayServers,
  writeResult,
} from './lib.js';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, createMailTransport } from '../activities/index.js';
import { postgresOutbox } from '../activities/outbox.js';
import { createProjectionActivities } from '../activities/projection.js';
import { withStepRecords } from '../activities/step-record.js';
import { digestEmail } from '../activities/templates/etermin.js';
import type { MailTransport } from '../activities/channels/types.js';
import { stableSpread } from '../machines/berlin-time.js';
import type { DigestItem } from '../machines/nightly-digest.schema.js';
import { latestDefinition } from '../machines/registry.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { c, log } from '../scripts/lib/log.js';
import { bundleWorkflows } from '../worker/worker.js';
import { deliverSignal, type ProcessArgs, type SendMeta } from '../workflows/protocol.js';
import type { RawDigestActivities } from './raw-workflows.js';

const { values: options } = parseArgs({
  options: {
    practices: { type: 'string', default: '5000' },
    'lead-seconds': { type: 'string', default: '150' },
    'limit-minutes': { type: 'string', default: '30' },
    'jitter-minutes': { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
  },
});
const PRACTICES = Number(options.practices);
const LEAD_MS = Number(options['lead-seconds']) * 1000;
/** A night that has not sent everything by then is reported as it stands. */
const LIMIT_MS = Number(options['limit-minutes']) * 60_000;
/** Production spreads the night over 20 minutes; 0 sends every practice at the same minute. */
const JITTER_MINUTES = Number(options['jitter-minutes']);
/** The overview the API starts for a practice: the newest version. */
const nightlyDigest = latestDefinition('nightlyDigest')!;
const { EventType } = proto.temporal.api.enums.v1;
type EventType = proto.temporal.api.enums.v1.EventType;
const practiceIdOf = (i: number) => `BSNR-${String(i).padStart(6, '0')}`;
/** When practice i's overview is due: the digest instant plus its stable minute. */
const dueOf = (dueAt: number, practiceId: string) =>
  dueAt + (JITTER_MINUTES > 0 ? stableSpread(practiceId, JITTER_MINUTES) * 60_000 : 0);
const CONCURRENCY = 64;

const berlinClock = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  hour: '2-digit',
  minute: '2-digit',
});

interface Sent {
  readonly practiceId: string;
  readonly at: number;
}

/** Records when each digest email is handed to SMTP, and for whom, one night at a time. */
function countingMailer(real: MailTransport) {
  let sent: Sent[] = [];
  return {
    transport: {
      async sendMail(message) {
        const result = await real.sendMail(message);
        if (message.subject.startsWith('eTerminservice: Terminübersicht')) {
          const to = typeof message.to === 'string' ? message.to : message.to.address;
          sent.push({ practiceId: to.split('@')[0]!.toUpperCase(), at: Date.now() });
        }
        return result;
      },
    } satisfies MailTransport,
    take(): Sent[] {
      const taken = sent;
      sent = [];
      return taken;
    },
    count: () => sent.length,
  };
}

/** Peak RSS and heap while `until` is pending, sampled every 100 ms. */
function memoryWhile<T>(until: Promise<T>) {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 100);
  return until
    .finally(() => clearInterval(timer))
    .then((value) => ({
      value,
      rssBeforeMb: before.rss / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
    }));
}

const itemsFor = (i: number, base: number): DigestItem[] =>
  (['booked', 'cancelled'] as const).map((kind, k) => ({
    key: `TSS-${i}:${kind}`,
    kind,
    appointmentId: `TSS-${i}`,
    at: new Date(base + (i % 500) * 60_000 + k * 3_600_000).toISOString(),
    patientInitials: 'E. M.',
    specialty: 'Allgemeinmedizin',
    receivedAt: new Date(base).toISOString(),
  }));

/** What Temporal did for one overview from its due instant on: tasks, activities, timers. */
interface TemporalWork {
  readonly workflowTasks: number;
  readonly activities: Readonly<Record<string, number>>;
  readonly timers: number;
  readonly historyEvents: number;
}

/**
 * Counts the history events of a workflow from `from` (ms) on, over the runs since: an overview
 * that continues as new after it went out has its night in the run before the newest.
 */
async function workOf(client: Client, workflowId: string, from: number): Promise<TemporalWork> {
  const runs: proto.temporal.api.history.v1.IHistoryEvent[][] = [];
  for (let runId: string | undefined; ;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId ?? undefined;
    const startedAt = Number(events[0]?.eventTime?.seconds ?? 0) * 1000;
    if (!runId || startedAt < from) break;
  }
  const events = runs.flat().filter((event) => {
    const seconds = Number(event.eventTime?.seconds ?? 0);
    return seconds * 1000 + (event.eventTime?.nanos ?? 0) / 1e6 >= from;
  });
  const activities: Record<string, number> = {};
  for (const event of events) {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) activities[name] = (activities[name] ?? 0) + 1;
  }
  const count = (type: EventType) => events.filter((event) => event.eventType === type).length;
  return {
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities,
    timers: count(EventType.EVENT_TYPE_TIMER_STARTED),
    historyEvents: events.length,
  };
}

interface Night {
  /** Overviews sent within the limit (of PRACTICES). */
  readonly sent: number;
  readonly endToEndMs: number;
  readonly lateP50Ms: number;
  readonly lateP99Ms: number;
  /** The p99 lateness of each minute's overviews: where in the night a tail came from. */
  readonly lateP99ByMinuteMs: readonly number[];
  readonly perSecond: number;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  /** Temporal's work for the first practice's overview. */
  readonly work: TemporalWork;
}

/** Waits until `count()` reaches n (or gives up after the limit), then summarizes the night. */
async function night(
  dueAt: number,
  count: () => number,
  take: () => Sent[],
  limitMs: number,
): Promise<Omit<Night, 'rssBeforeMb' | 'peakRssMb' | 'peakHeapMb' | 'work'>> {
  const deadline = dueAt + JITTER_MINUTES * 60_000 + limitMs;
  while (count() < PRACTICES && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const taken = take();
  if (taken.length === 0) throw new Error('no overview went out');
  if (taken.length < PRACTICES) {
    log.warn(`only ${taken.length} of ${PRACTICES} overviews went out within the limit`);
  }
  // Late = after the practice's own due instant (the digest time plus its minute).
  const late = taken.map((sent) => sent.at - dueOf(dueAt, sent.practiceId)).sort((a, b) => a - b);
  const byMinute: number[][] = Array.from({ length: JITTER_MINUTES }, () => []);
  for (const sent of taken) {
    const due = dueOf(dueAt, sent.practiceId);
    byMinute[Math.round((due - dueAt) / 60_000)]?.push(sent.at - due);
  }
  const sends = taken.map((sent) => sent.at).sort((a, b) => a - b);
  const first = sends[0]!;
  const last = sends.at(-1)!;
  return {
    endToEndMs: last - dueAt,
    lateP50Ms: quantile(late, 0.5),
    lateP99Ms: quantile(late, 0.99),
    lateP99ByMinuteMs: byMinute.map((lates) =>
      lates.length
        ? quantile(
            [...lates].sort((a, b) => a - b),
            0.99,
          )
        : 0,
    ),
    perSecond: sends.length / Math.max(0.001, (last - first) / 1000),
    sent: sends.length,
  };
}

async function run(env: NodeJS.ProcessEnv): Promise<void> {
  const pool = createPool(env.DATABASE_URL!, { applicationName: 'bench', max: 16 });
  await migrate(pool);
  const address = env.TEMPORAL_ADDRESS!;
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection });
  const mailer = countingMailer(createMailTransport(env.MAILCATCHER_SMTP_URL!));
  const base = Date.now() + 14 * 24 * 3_600_000;
  const { windows, phase: window } = profileWindows();
  const praxisflowBundle = await bundleWorkflows();
  if (profiling()) keepBundleForProfiles(profileDir('digest-night'), praxisflowBundle);

  // 1. praxisflow: the nightly overview process of every practice.
  const praxisflowWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'bench-digest',
    workflowBundle: praxisflowBundle,
    activities: withStepRecords({
      ...createActivities({
        mailer: mailer.transport,
        outbox: postgresOutbox(pool),
        config: {
          publicBaseUrl: 'http://portal.bench',
          mailFrom: 'bench <bench@praxisflow.localhost>',
          codeSecret: 'bench-secret-bench-secret-bench-secret',
        },
        contactChannels: {
          confirmedChannel: async (practiceId) => ({
            practiceName: `Praxis ${practiceId}`,
            channel: { channel: 'email', address: `${practiceId.toLowerCase()}@bench.example` },
          }),
        },
      }),
      ...createProjectionActivities({ readModel: pool }),
    }),
  });
  // The first minute at least LEAD after now, as German clocks show it.
  const dueAt = Math.ceil((Date.now() + LEAD_MS) / 60_000) * 60_000;
  const digestTime = berlinClock.format(dueAt);
  log.step(
    `praxisflow: ${PRACTICES} practices, 2 reports each, overview at ${digestTime} German time`,
  );
  const praxisflow = await memoryWhile(
    (async () => {
      const running = praxisflowWorker.run();
      await window('praxisflow: reports', () =>
        inParallel(
          PRACTICES,
          CONCURRENCY,
          async (i) => {
            const practiceId = practiceIdOf(i);
            const args: ProcessArgs = {
              input: { practiceId, digestTime, jitterMinutes: JITTER_MINUTES },
              version: nightlyDigest.version,
              businessKey: practiceId,
              practiceId,
              actor: 'bench',
            };
            for (const item of itemsFor(i, base)) {
              const { key: _key, receivedAt: _at, ...report } = item;
              await client.workflow.signalWithStart('nightlyDigest', {
                taskQueue: 'bench-digest',
                workflowId: `nightlyDigest-${practiceId}`,
                args: [args],
                signal: deliverSignal,
                // As the API does: the time it accepted the report goes with it.
                signalArgs: [
                  { type: 'APPOINTMENT_RECORDED', ...report },
                  { actor: 'bench', sentAt: new Date().toISOString() } satisfies SendMeta,
                ],
              });
            }
          },
          'reports',
        ),
      );
      if (Date.now() >= dueAt)
        throw new Error('reporting took past the digest time: raise --lead-seconds');
      log.info(`all reported; waiting for ${digestTime} …`);
      const result = await window('praxisflow: night', () =>
        night(dueAt, mailer.count, mailer.take, LIMIT_MS),
      );
      const work = await workOf(
        client,
        `nightlyDigest-${practiceIdOf(0)}`,
        dueOf(dueAt, practiceIdOf(0)),
      );
      praxisflowWorker.shutdown();
      await running;
      return { ...result, work };
    })(),
  );

  // 2. Raw Temporal: a sleeping workflow and one sending activity per practice.
  const activities: RawDigestActivities = {
    async sendRawDigest(practiceId, items) {
      await mailer.transport.sendMail({
        from: 'bench <bench@praxisflow.localhost>',
        to: { name: `Praxis ${practiceId}`, address: `${practiceId.toLowerCase()}@bench.example` },
        ...digestEmail({
          portal: 'Webportal eTerminservice',
          practiceName: `Praxis ${practiceId}`,
          items,
          sentAt: Date.now(),
        }),
        messageId: `<raw-${practiceId}-${Date.now()}@bench>`,
        headers: {},
      });
    },
  };
  const rawBundle = await rawWorkflowBundle();
  if (profiling()) keepBundleForProfiles(profileDir('digest-night'), rawBundle);
  const rawWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'bench-raw',
    workflowBundle: rawBundle,
    activities,
  });
  const rawDueAt = Math.ceil((Date.now() + LEAD_MS) / 60_000) * 60_000;
  log.step(`raw Temporal: ${PRACTICES} sleeping workflows, due ${berlinClock.format(rawDueAt)}`);
  const raw = await memoryWhile(
    (async () => {
      const running = rawWorker.run();
      await window('raw: starts', () =>
        inParallel(
          PRACTICES,
          CONCURRENCY,
          (i) =>
            client.workflow.start('rawNightlyDigest', {
              taskQueue: 'bench-raw',
              workflowId: `raw-${i}`,
              args: [practiceIdOf(i), dueOf(rawDueAt, practiceIdOf(i)), itemsFor(i, base)],
            }),
          'workflows',
        ),
      );
      if (Date.now() >= rawDueAt)
        throw new Error('starting took past the due time: raise --lead-seconds');
      const result = await window('raw: night', () =>
        night(rawDueAt, mailer.count, mailer.take, LIMIT_MS),
      );
      const work = await workOf(client, 'raw-0', dueOf(rawDueAt, practiceIdOf(0)));
      rawWorker.shutdown();
      await running;
      return { ...result, work };
    })(),
  );

  await connection.close();
  await nativeConnection.close();
  await pool.end();

  const nights: Record<'praxisflow' | 'raw', Night> = {
    praxisflow: { ...praxisflow.value, ...praxisflow },
    raw: { ...raw.value, ...raw },
  };
  for (const key of ['praxisflow', 'raw'] as const) {
    delete (nights[key] as { value?: unknown }).value;
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const p = nights.praxisflow;
  const r = nights.raw;
  console.log(
    `\n${c.bold(`One night of ${PRACTICES.toLocaleString('en')} practices, spread over ${JITTER_MINUTES} minutes`)}`,
  );
  console.log(
    `  ${''.padEnd(26)} ${'praxisflow'.padStart(12)} ${'raw Temporal'.padStart(14)} ${'ratio'.padStart(8)}`,
  );
  const row = (name: string, a: string, b: string, q: string) =>
    console.log(`  ${name.padEnd(26)} ${a.padStart(12)} ${b.padStart(14)} ${q.padStart(8)}`);
  row(
    'night (digest time → last)',
    s(p.endToEndMs),
    s(r.endToEndMs),
    ratio(p.endToEndMs, r.endToEndMs),
  );
  row('lateness p50', s(p.lateP50Ms), s(r.lateP50Ms), ratio(p.lateP50Ms, r.lateP50Ms));
  row('lateness p99', s(p.lateP99Ms), s(r.lateP99Ms), ratio(p.lateP99Ms, r.lateP99Ms));
  const worst = (night: Night) =>
    night.lateP99ByMinuteMs.reduce((at, ms, minute, all) => (ms > all[at]! ? minute : at), 0);
  row(
    '  worst minute (its p99)',
    `${worst(p)} (${s(p.lateP99ByMinuteMs[worst(p)]!)})`,
    `${worst(r)} (${s(r.lateP99ByMinuteMs[worst(r)]!)})`,
    '',
  );
  row(
    'emails per second',
    p.perSecond.toFixed(0),
    r.perSecond.toFixed(0),
    ratio(p.perSecond, r.perSecond),
  );
  row(
    'peak RSS (before)',
    `${mb(p.peakRssMb)} (${mb(p.rssBeforeMb)})`,
    `${mb(r.peakRssMb)} (${mb(r.rssBeforeMb)})`,
    ratio(p.peakRssMb, r.peakRssMb),
  );
  row('peak heap', mb(p.peakHeapMb), mb(r.peakHeapMb), ratio(p.peakHeapMb, r.peakHeapMb));
  const tasks = (night: Night) => night.work.workflowTasks;
  row(
    'one overview: workflow tasks',
    String(tasks(p)),
    String(tasks(r)),
    ratio(tasks(p), tasks(r)),
  );
  const activityCount = (night: Night) =>
    Object.values(night.work.activities).reduce((a, b) => a + b, 0);
  row(
    '  activities',
    String(activityCount(p)),
    String(activityCount(r)),
    ratio(activityCount(p), activityCount(r)),
  );
  row(
    '  history events',
    String(p.work.historyEvents),
    String(r.work.historyEvents),
    ratio(p.work.historyEvents, r.work.historyEvents),
  );
  console.log(
    `  praxisflow's activities for one overview: ${Object.entries(p.work.activities)
      .map(([name, n]) => `${name} ×${n}`)
      .join(', ')}`,
  );
  writeResult('digest-night', {
    practices: PRACTICES,
    jitterMinutes: JITTER_MINUTES,
    nights,
    profileWindows: windows,
  });
}

if (!profiledRerun('digest-night', options.profile)) await withThrowawayServers(run);
