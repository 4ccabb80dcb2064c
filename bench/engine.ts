/**
 * `npm run bench`: what praxisflow's engine costs against raw Temporal, on the same dev server
 * in the same run (2 cores: the figures are relative, the ratios are the point).
 *
 *  - B1 process starts per second through the API (`POST /api/v1/processes/invitation`: HTTP,
 *    validation, keyed business key, start, first view) vs raw `client.workflow.start` of a
 *    trivial workflow with the same search attributes; same concurrency, each side beginning
 *    with an idle worker.
 *  - B2 event round trip (HTTP event → `send` update → transition → projection → answer) vs a
 *    raw update round trip on a trivial workflow; p50/p99, one at a time. With an email: a
 *    resent invitation vs a raw update that sends the same email and re-arms two timers.
 *  - Webhook delivery lag under the B1 start load: a receiver subscribed to `process.started`,
 *    lag from the step and from the API's answer, against B2's round trip.
 *  - B5 the interpreter's own share: the pure XState step of the same event (`transition`) vs
 *    the whole step of B2.
 *  - Legs: B1 and B2 again with one more of the API's layers at a time (bench/legs.ts), so
 *    that the distance to raw is measured where it lies.
 *
 * Prints a table and writes bench/results/engine.json. The read model list (B3) is
 * `npm run bench:read-model`; worker memory at scale (B4) is in `npm run bench:digest`.
 *
 *   npm run bench -- --starts 300 --events 300 --concurrency 16
 *
 * `--profile` runs B1 and B2 under V8's CPU profiler and prints where each phase's CPU went
 * (bench/profile-summary.ts).
 *
 * `--workers N` measures instead how throughput grows from 1 to N workers (bench/worker-scale.ts;
 * `--processes`, `--worker-cpu`); `--bulk N` one event for N processes as a bulk action against
 * single events (bench/bulk.ts); `--migrate N` N running version-1 invitations moved to version 2
 * by one bulk action with the worker SIGKILLed half-way (bench/bulk-migration.ts).
 */
import {
  inParallel,
  latency,
  rawWorkflowBundle,
  keepBundleForProfiles,
  profileWindows,
  profileDir,
  profiledRerun,
  profiling,
  untilAllRest,
  withThrowawayServers,
  writeResult,
} from './lib.js';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { initialTransition, transition } from 'xstate';
import { createMailTransport } from '../activities/mailer.js';
import { invitationEmail } from '../activities/templates/invitation.js';
import { latestDefinition } from '../machines/registry.js';
import { c, log } from '../scripts/lib/log.js';
import { bundleWorkflows } from '../worker/worker.js';
import { ProcessSearchAttributes } from '../workflows/protocol.js';
import { measureBulk } from './bulk.js';
import { measureBulkMigration } from './bulk-migration.js';
import { measureLegs } from './legs.js';
import { resendUpdate, type RawInvitationActivities } from './raw-workflows.js';
import { startBenchStack } from './stack.js';
import { measureWebhookLag } from './webhook-lag.js';
import { measureWorkerScale } from './worker-scale.js';

const { values: options } = parseArgs({
  options: {
    starts: { type: 'string', default: '300' },
    events: { type: 'string', default: '300' },
    /** Events with an email effect (B2 with an email). */
    'effect-events': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    /** Instead of B1–B5: worker throughput, 1 worker against this many. */
    workers: { type: 'string' },
    /** With `--workers`: each worker's CPU cap in cores (0: uncapped). */
    'worker-cpu': { type: 'string', default: '0.4' },
    /** Instead of B1–B5: one event for this many processes as a bulk action vs single events. */
    bulk: { type: 'string' },
    /** Instead of B1–B5: this many running version-1 invitations migrated in bulk, with a crash. */
    migrate: { type: 'string' },
    /** Invitations per phase of `--workers`. */
    processes: { type: 'string', default: '1000' },
    /** B1 and B2 under V8's CPU profiler: where each side's CPU went, phase by phase. */
    profile: { type: 'boolean', default: false },
  },
});
const STARTS = Number(options.starts);
const EVENTS = Number(options.events);
const EFFECT_EVENTS = Number(options['effect-events']);
const CONCURRENCY = Number(options.concurrency);
/** Overviews B2's events are spread over. */
const DIGESTS = 25;

/** Runs `work(i)` for i < n, CONCURRENCY at a time: per second. */
const throughput = async (n: number, work: (i: number) => Promise<unknown>): Promise<number> =>
  n / (await inParallel(n, CONCURRENCY, work));

async function run(env: NodeJS.ProcessEnv): Promise<void> {
  const { windows, phase } = profileWindows();
  const rawBundle = await rawWorkflowBundle();
  if (profiling()) {
    // The stack's worker bundles the same sources for itself, to the same name.
    keepBundleForProfiles(profileDir('engine'), await bundleWorkflows());
    keepBundleForProfiles(profileDir('engine'), rawBundle);
  }
  const stack = await startBenchStack(env);
  const { api, connection, nativeConnection } = stack;
  const rawClient = new Client({ connection });
  const rawMailer = createMailTransport(env.MAILCATCHER_SMTP_URL!);
  const rawInvitationActivities: RawInvitationActivities = {
    async sendRawInvitation(round) {
      await rawMailer.sendMail({
        from: 'bench <bench@praxisflow.localhost>',
        to: { name: 'Erika Mustermann', address: `raw.${round}@bench.example` },
        ...invitationEmail({
          to: { salutation: 'Frau', firstName: 'Erika', lastName: 'Mustermann', email: '' },
          portal: 'Mein AOK Gesundheitspartnerservice',
          inviterName: 'Dr. Bench',
          link: `http://portal.bench/registrierung/${randomBytes(24).toString('base64url')}`,
          hours: 720,
          validUntil: '02.01.2027',
        }),
        messageId: `<raw-invitation-${round}-${randomBytes(6).toString('hex')}@bench>`,
      });
    },
  };
  const rawWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'bench-raw',
    workflowBundle: rawBundle,
    activities: { async sendRawDigest() {}, ...rawInvitationActivities },
  });
  const rawRunning = rawWorker.run();

  // B1 — starts per second.
  const run = randomBytes(3).toString('hex');
  log.step(`B1: ${STARTS} starts each, ${CONCURRENCY} at a time`);
  const started: string[] = [];
  const startInvitation = (name: string, i: number) =>
    api(
      'POST',
      '/api/v1/processes/invitation',
      {
        input: {
          salutation: 'Frau',
          firstName: 'Erika',
          lastName: `${name}${i}`,
          email: `${name.toLowerCase()}.${run}.${i}@bench.example`,
          practiceId: `BSNR-${i % 50}`,
        },
      },
      201,
    ).then((view: { id: string }) => {
      started.push(view.id);
      return view;
    });
  const startsApi = await phase('praxisflow: B1 starts', () =>
    throughput(STARTS, (i) => startInvitation('Bench', i)),
  );
  // Raw's starts run with the worker idle, as praxisflow's began, and carry the same search
  // attributes (a business key of the same length: a keyed hash in hex).
  await untilAllRest(stack.client, started);
  const rawAttributes = Array.from({ length: STARTS }, (_, i) => [
    { key: ProcessSearchAttributes.type, value: 'invitation' },
    { key: ProcessSearchAttributes.businessKey, value: randomBytes(16).toString('hex') },
    { key: ProcessSearchAttributes.practiceId, value: `BSNR-${i % 50}` },
  ]);
  const startsRaw = await phase('raw: B1 starts', () =>
    throughput(STARTS, (i) =>
      rawClient.workflow.start('rawTrivial', {
        taskQueue: 'bench-raw',
        workflowId: `raw-${run}-${i}`,
        typedSearchAttributes: rawAttributes[i]!,
      }),
    ),
  );

  // The same start load with a webhook receiver subscribed to every start.
  log.step(`Webhook lag: ${STARTS} starts, ${CONCURRENCY} at a time, each delivered`);
  let startsWithWebhook = 0;
  const webhookLag = await measureWebhookLag(stack, async () => {
    const answered = new Map<string, number>();
    startsWithWebhook = await throughput(STARTS, async (i) => {
      const { id } = await startInvitation('Hook', i);
      answered.set(id, Date.now());
    });
    return answered;
  });

  // B2 — event round trip, one at a time, spread over a few overviews: every report stays in
  // an overview's context until the night, so one overview taking all of them would measure
  // its growing context, not the engine.
  // The starts above leave their first steps (emails, read model rows) to the worker: B2
  // measures an event's round trip, not its wait behind that backlog.
  await untilAllRest(stack.client, started);
  log.step(`B2: ${EVENTS} events each, one at a time`);
  const digests: { id: string }[] = [];
  for (let k = 0; k < DIGESTS; k++) {
    digests.push(
      await api(
        'POST',
        '/api/v1/processes/nightlyDigest',
        { input: { practiceId: `BSNR-bench-${run}-${k}`, digestTime: '01:30' } },
        201,
      ),
    );
  }
  const report = (i: number) => ({
    type: 'APPOINTMENT_RECORDED',
    kind: 'booked',
    appointmentId: `TSS-${run}-${i}`,
    at: '2026-12-01T09:30:00+01:00',
    patientInitials: 'E. M.',
  });
  const eventApi = await phase('praxisflow: B2 events', () =>
    latency(EVENTS, (i) =>
      api(
        'POST',
        `/api/v1/processes/${digests[(i + DIGESTS) % DIGESTS]!.id}/events`,
        report(i),
        200,
      ),
    ),
  );
  const trivials = await Promise.all(
    Array.from({ length: DIGESTS }, (_, k) =>
      rawClient.workflow.start('rawTrivial', {
        taskQueue: 'bench-raw',
        workflowId: `raw-b2-${run}-${k}`,
      }),
    ),
  );
  const eventRaw = await phase('raw: B2 updates', () =>
    latency(EVENTS, (i) => trivials[(i + DIGESTS) % DIGESTS]!.executeUpdate<number, []>('bump')),
  );
  const withActivity = await Promise.all(
    Array.from({ length: DIGESTS }, (_, k) =>
      rawClient.workflow.start('rawTrivialWithActivity', {
        taskQueue: 'bench-raw',
        workflowId: `raw-b2a-${run}-${k}`,
      }),
    ),
  );
  const eventRawActivity = await phase('raw: B2 updates with one activity', () =>
    latency(EVENTS, (i) =>
      withActivity[(i + DIGESTS) % DIGESTS]!.executeUpdate<number, []>('bump'),
    ),
  );

  // B2 with an effect — a resent invitation (new link, the invitation email, reminder and
  // expiry started over) against a raw update that sends the same email and re-arms two timers.
  log.step(`B2 with an email: ${EFFECT_EVENTS} resends each, one at a time`);
  const invitations: { id: string }[] = [];
  for (let k = 0; k < DIGESTS; k++) {
    invitations.push(
      await api(
        'POST',
        '/api/v1/processes/invitation',
        {
          input: {
            salutation: 'Frau',
            firstName: 'Erika',
            lastName: `Resend${k}`,
            email: `resend.${run}.${k}@bench.example`,
            practiceId: `BSNR-${k}`,
          },
        },
        201,
      ),
    );
  }
  const resendApi = await phase('praxisflow: B2 resends with an email', () =>
    latency(EFFECT_EVENTS, (i) =>
      api(
        'POST',
        `/api/v1/processes/${invitations[(i + DIGESTS) % DIGESTS]!.id}/events`,
        { type: 'INVITATION_RESENT' },
        200,
      ),
    ),
  );
  const rawInvitations = await Promise.all(
    Array.from({ length: DIGESTS }, (_, k) =>
      rawClient.workflow.start('rawInvitation', {
        taskQueue: 'bench-raw',
        workflowId: `raw-invitation-${run}-${k}`,
      }),
    ),
  );
  const resendRaw = await phase('raw: B2 resend updates with an email', () =>
    latency(EFFECT_EVENTS, (i) =>
      rawInvitations[(i + DIGESTS) % DIGESTS]!.executeUpdate(resendUpdate),
    ),
  );

  // B5 — the pure XState step of the same event.
  const machine = latestDefinition('nightlyDigest')!.machine;
  const [snapshot] = initialTransition(machine, { practiceId: 'BSNR-1', digestTime: '01:30' });
  const stepPure = await latency(EVENTS * 10, async (i) => {
    transition(machine, snapshot, {
      ...report(i),
      receivedAt: '2026-12-01T08:00:00.000Z',
      actor: 'b',
    });
  });

  // Where B1's and B2's distance to raw lies: one more of the API's layers at a time.
  await untilAllRest(
    stack.client,
    invitations.map(({ id }) => id),
  );
  log.step(`Legs: ${STARTS} starts per leg, ${EVENTS} events without the API`);
  const legs = await measureLegs({
    client: stack.client,
    taskQueue: stack.taskQueue,
    pool: stack.pool,
    codec: stack.codec,
    rawClient,
    phase,
    throughput,
    starts: STARTS,
    events: EVENTS,
    startThroughApi: startInvitation,
    digests,
    report,
    rawUpdated: trivials[0]!,
  });

  rawWorker.shutdown();
  await rawRunning;
  rawMailer.close();
  await stack.close();

  const ms = (value: number) => `${value.toFixed(value < 1 ? 3 : 1)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const row = (name: string, a: string, b: string, q: string, goal = '') =>
    console.log(
      `  ${name.padEnd(30)} ${a.padStart(12)} ${b.padStart(14)} ${q.padStart(8)}  ${c.gray(goal)}`,
    );
  console.log(`\n${c.bold('praxisflow against raw Temporal, same dev server, same run')}`);
  row('', 'praxisflow', 'raw Temporal', 'ratio');
  row(
    'B1 starts per second',
    startsApi.toFixed(1),
    startsRaw.toFixed(1),
    ratio(startsApi, startsRaw),
    'goal ≥ 0.85',
  );
  row(
    'B2 event round trip p50',
    ms(eventApi.p50),
    ms(eventRaw.p50),
    ratio(eventApi.p50, eventRaw.p50),
    'goal ≤ 1.3×',
  );
  row(
    'B2 event round trip p99',
    ms(eventApi.p99),
    ms(eventRaw.p99),
    ratio(eventApi.p99, eventRaw.p99),
  );
  row(
    'B2 vs raw update + 1 activity',
    ms(eventApi.p50),
    ms(eventRawActivity.p50),
    ratio(eventApi.p50, eventRawActivity.p50),
    'p50; the read model write is one activity',
  );
  row(
    'B2 with an email p50',
    ms(resendApi.p50),
    ms(resendRaw.p50),
    ratio(resendApi.p50, resendRaw.p50),
    'goal ≤ 1.3×; invitation resent vs raw update + email + 2 timers',
  );
  row(
    'B2 with an email p99',
    ms(resendApi.p99),
    ms(resendRaw.p99),
    ratio(resendApi.p99, resendRaw.p99),
  );
  row(
    'B1 with a webhook subscriber',
    startsWithWebhook.toFixed(1),
    startsRaw.toFixed(1),
    ratio(startsWithWebhook, startsRaw),
    'starts per second while each start is delivered',
  );
  row(
    'webhook lag p50 (from the step)',
    ms(webhookLag.sinceStep.p50),
    ms(eventApi.p50),
    ratio(webhookLag.sinceStep.p50, eventApi.p50),
    `against B2 p50; ${webhookLag.delivered}/${STARTS} delivered, ${webhookLag.duplicates} twice`,
  );
  row(
    'webhook lag p99 (from the step)',
    ms(webhookLag.sinceStep.p99),
    ms(eventApi.p99),
    ratio(webhookLag.sinceStep.p99, eventApi.p99),
    'against B2 p99',
  );
  row(
    'webhook lag p50 / p99 (answer)',
    ms(webhookLag.sinceAnswer.p50),
    ms(webhookLag.sinceAnswer.p99),
    '',
    "from the API's answer to the start",
  );
  row(
    '  of it: step → row p50 / p99',
    ms(webhookLag.stepToRow.p50),
    ms(webhookLag.stepToRow.p99),
    '',
    'the projection writes the step and owes the delivery',
  );
  row(
    '  of it: row → sent p50 / p99',
    ms(webhookLag.rowToDelivered.p50),
    ms(webhookLag.rowToDelivered.p99),
    '',
    'the dispatcher: claim, sign, POST, record',
  );
  row(
    'B5 pure XState step (mean)',
    ms(stepPure.mean),
    ms(eventApi.p50),
    `${((stepPure.mean / eventApi.p50) * 100).toFixed(1)} %`,
    'of the whole step (B2 p50)',
  );
  console.log(`\n${c.bold('Where the distance lies: one more layer at a time, same run')}`);
  row('', 'praxisflow', 'raw Temporal', 'ratio');
  const msRow = (name: string, a: number, b: number, note: string) =>
    row(name, ms(a), ms(b), ratio(a, b), note);
  const startLeg = (name: string, perSecond: number, note: string) =>
    row(
      name,
      perSecond.toFixed(1),
      legs.starts.rawWithSearchAttributes.toFixed(1),
      ratio(perSecond, legs.starts.rawWithSearchAttributes),
      note,
    );
  row(
    'raw start, search attributes',
    legs.starts.rawWithSearchAttributes.toFixed(1),
    legs.starts.raw.toFixed(1),
    ratio(legs.starts.rawWithSearchAttributes, legs.starts.raw),
    'starts per second, against raw without them',
  );
  startLeg(
    'start, no worker polling',
    legs.starts.withoutWorker,
    'codec, planned args, first view; no first step',
  );
  startLeg('start without the API', legs.starts.withoutApi, 'the worker runs each first step');
  startLeg('  and its row', legs.starts.withRow, "the API's write of the row and STARTED");
  startLeg('  and the API (B1)', legs.starts.throughApi, 'HTTP, API key, validation');
  msRow(
    'update without the API p50',
    legs.events.update.p50,
    eventRaw.p50,
    'codec, validator, step, answer with its audit entry',
  );
  msRow(
    '  the worker at rest before p50',
    legs.events.updateAtRest.p50,
    eventRaw.p50,
    "the workflow's own write of the step before done",
  );
  row(
    '  of it: the codec (mean)',
    ms(legs.events.codec.mean),
    ms(legs.events.update.p50),
    `${((legs.events.codec.mean / legs.events.update.p50) * 100).toFixed(0)} %`,
    `arguments and answer (${(legs.events.answerBytes / 1024).toFixed(1)} kB) sealed and opened`,
  );
  msRow(
    '  its task: dispatch p50',
    legs.updateTasks.praxisflow.dispatch,
    legs.updateTasks.raw.dispatch,
    'history: task scheduled → started',
  );
  msRow(
    '  its task: worker p50',
    legs.updateTasks.praxisflow.worker,
    legs.updateTasks.raw.worker,
    'history: task started → completed',
  );
  row(
    "  then the API's write p50",
    ms(legs.events.write.p50),
    ms(eventApi.p50),
    `${((legs.events.write.p50 / eventApi.p50) * 100).toFixed(0)} %`,
    'of B2 p50 (recordStep)',
  );
  const restOfB2 = eventApi.p50 - legs.events.update.p50 - legs.events.write.p50;
  row(
    '  the rest of B2 p50',
    ms(restOfB2),
    ms(eventApi.p50),
    `${((restOfB2 / eventApi.p50) * 100).toFixed(0)} %`,
    'HTTP, API key, validation (a difference of medians: may read below 0)',
  );
  writeResult('engine', {
    starts: STARTS,
    events: EVENTS,
    concurrency: CONCURRENCY,
    b1: {
      praxisflowPerSecond: startsApi,
      rawPerSecond: startsRaw,
      ratio: startsApi / startsRaw,
    },
    b2: {
      praxisflow: eventApi,
      raw: eventRaw,
      ratioP50: eventApi.p50 / eventRaw.p50,
      ratioP99: eventApi.p99 / eventRaw.p99,
      rawWithOneActivity: eventRawActivity,
      ratioP50WithOneActivity: eventApi.p50 / eventRawActivity.p50,
      withEmail: {
        praxisflow: resendApi,
        raw: resendRaw,
        ratioP50: resendApi.p50 / resendRaw.p50,
        ratioP99: resendApi.p99 / resendRaw.p99,
      },
    },
    webhooks: {
      startsPerSecond: startsWithWebhook,
      ...webhookLag,
      ratioP50ToEventRoundTrip: webhookLag.sinceStep.p50 / eventApi.p50,
      ratioP99ToEventRoundTrip: webhookLag.sinceStep.p99 / eventApi.p99,
    },
    b5: { pureStep: stepPure, wholeStepP50: eventApi.p50, share: stepPure.mean / eventApi.p50 },
    legs,
    profileWindows: windows,
  });
}

if (
  !profiledRerun('engine', options.profile && !options.migrate && !options.bulk && !options.workers)
)
  await withThrowawayServers((env) =>
    options.migrate
      ? measureBulkMigration(env, { processes: Number(options.migrate) })
      : options.bulk
        ? measureBulk(env, { processes: Number(options.bulk) })
        : options.workers
          ? measureWorkerScale(env, {
              workers: Number(options.workers),
              processes: Number(options.processes),
              workerCpu: Number(options['worker-cpu']) || null,
            })
          : run(env),
  );
