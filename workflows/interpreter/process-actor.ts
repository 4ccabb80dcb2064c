import { ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { checkEvent } from './validation.js';
import { createActor, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import {
  START_PROCESS,
  type ProcessDefinition,
  type RejectionEmit,
} from '../../machines/process-definition.js';
import { ProcessKeyTaken, startProcess } from './child-processes.js';
import { ActivityRunner } from './activity-runner.js';
import { refuseChildrenWithoutSpawn, toEffects, type Effect } from './effects.js';
import { InvokedActors } from './invoked-actors.js';
import { previewEffects } from './preview.js';
import { childSteps, processSteps, type PureSteps } from './pure-steps.js';
import { signalMachine } from './child-machines.js';
import { Projection } from './projection.js';
import { ProcessSearchAttributes, startSearchAttributes } from './search-attributes.js';
import { machineOf } from './starting-view.js';
import { applyTimerEffects, PureTimers } from './timer-table.js';
import type { AnyMigration } from '../../machines/migration-definition.js';
import { planMigration, type MigrationPlan, type MigrationRefusal } from './migration-plan.js';
import { nextStateEntries, type StateEntries } from './state-entries.js';
import { DurableTimers } from './timers.js';
import {
  SendFailure,
  type CancelRequest,
  type EventPreview,
  type MigrationPreview,
  type MigrationRequest,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
  type ResumeState,
  type TimerRequest,
} from './types.js';
import { isEvent, Job, Mailbox, splitReveal, type Link } from './mailbox.js';
import { notAllowedDetail, refusal, rejection, type Refusal } from './refusals.js';
import { schemaForPayload } from '../../machines/secrets.js';
import {
  allowedEvents,
  leafPaths,
  processView,
  redact,
  stateLabelOf,
  statusOf,
  timerViews,
} from './view.js';

const nowIso = (): string => new Date().toISOString();

/**
 * One process in one workflow run: the XState snapshot, its durable timers and its mailbox of
 * jobs. XState decides every transition; the actor only carries out the effects.
 */
export class ProcessActor {
  /** The machine version the instance runs now: its start's, or the one it migrated to. */
  definition: ProcessDefinition;
  machine: AnyStateMachine;
  readonly mailbox = new Mailbox();
  readonly timers = new DurableTimers((timer) => {
    this.mailbox.post({ event: timer.event, actor: 'timer', external: false, timer });
  });
  /** Invoked actors (activities, child workflows) that run; their outcomes go in line like a timer's event. */
  readonly invoked: InvokedActors;
  eventTypes: readonly string[];
  /** When each active state was entered: what a migration's timers count from. */
  private stateEntries: StateEntries = {};
  /** The redacted context and the snapshot it is of: redacting a large context per view is costly. */
  private redacted:
    { readonly for: AnyMachineSnapshot; readonly context: Record<string, unknown> } | undefined;
  /** Off for a child machine: it is part of its process, not a process of the read model. */
  private readonly projection: Projection;
  readonly activities: ActivityRunner;
  snapshot: AnyMachineSnapshot;
  /** Set by an operator's cancel: the machine stays where it was, the process ends. */
  private cancelled = false;
  step: number;
  stepsThisRun = 0;
  private readonly createdAt: string;
  private updatedAt: string;
  private publishedState = '';
  private pendingStartEffects: readonly Effect[] = [];
  /** The machine asked to continue as new once everything queued is done. */
  continueAsNewRequested = false;
  /** XState's pure steps; a child machine's know its parent (for `sendParent`). */
  private readonly steps: PureSteps;

  constructor(
    definition: ProcessDefinition,
    readonly args: ProcessArgs,
    /** Every version of the type and the migrations between them. */
    private readonly versions: {
      readonly definitions: readonly ProcessDefinition[];
      readonly migrations: readonly AnyMigration[];
    } = { definitions: [definition], migrations: [] },
  ) {
    this.projection = new Projection(!args.child);
    this.steps = args.child ? childSteps : processSteps;
    this.definition = definition;
    this.machine = machineOf(definition, args.delays);
    this.eventTypes = Object.keys(definition.events);
    this.invoked = new InvokedActors(definition.type, (invocation, event) => {
      this.mailbox.post({ event, actor: 'system', external: false, invocation });
    });
    this.activities = new ActivityRunner(
      definition.type,
      () => (this.projection.enabled ? this.projection.refresh(this.view()) : Promise.resolve()),
      (retry) =>
        this.recordOperatorStep('INCIDENT_RETRIED', retry.actor, {
          action: retry.action,
          ...retry.audit,
        }),
    );
    this.step = args.resume?.step ?? 0;
    // A start through the API gives its instant, so that the API's answer equals this view.
    this.createdAt = args.resume?.createdAt ?? args.startedAt ?? nowIso();
    this.updatedAt = args.resume?.updatedAt ?? this.createdAt;
    this.snapshot = args.resume ? this.restore(args.resume) : this.begin();
    this.checkHealthy(this.snapshot);
    this.publishState();
  }

  private restore(resume: ResumeState): AnyMachineSnapshot {
    for (const timer of resume.timers) this.timers.start(timer);
    this.stateEntries = resume.stateEntries ?? {};
    return createActor(this.machine, {
      snapshot: resume.snapshot as never,
      input: this.args.input as never,
    }).getSnapshot();
  }

  private begin(): AnyMachineSnapshot {
    // Secret fields of the input come sealed by the API, which checked their clear values.
    const input = schemaForPayload(this.definition.input, this.args.input).safeParse(
      this.args.input,
    );
    if (!input.success) {
      throw ApplicationFailure.nonRetryable(
        `Invalid input: ${input.error.message}`,
        'InvalidInput',
      );
    }
    if (!this.args.child) {
      upsertSearchAttributes(
        startSearchAttributes(this.definition.type, this.args.businessKey, this.args.practiceId),
      );
    }
    const [first, actions] = this.steps.initial(this.machine, input.data);
    this.pendingStartEffects = toEffects(actions, this.machine, (i) => `0.${i}`);
    refuseChildrenWithoutSpawn(undefined, first, this.pendingStartEffects);
    this.stateEntries = nextStateEntries(
      {},
      first,
      this.pendingStartEffects,
      Date.parse(this.createdAt),
    );
    return first;
  }

  /** Carries out the effects of the initial state; what they feed back goes first in line. */
  async start(): Promise<void> {
    // A run continued as new starts where the last one ended, and the read model has that.
    if (this.args.resume && this.projection.withEffect) return;
    const effects = this.pendingStartEffects;
    this.pendingStartEffects = [];
    const feedback = await this.runEffects(
      effects,
      new Job({ event: { type: 'xstate.init' }, actor: this.args.actor, external: false }),
      { step: this.step, event: 'STARTED', actor: this.args.actor, from: null, at: this.updatedAt },
      // The first timers count from the start's instant (without one, that is now).
      { now: Date.parse(this.createdAt) },
    );
    this.mailbox.postFirst(feedback.map((link) => ({ ...link, external: false })));
  }

  enqueue(
    event: ProcessEvent,
    actor: string,
    external: boolean,
    options: {
      readonly sentAt?: string;
      readonly bulkAction?: string;
      readonly recordsStep?: boolean;
    } = {},
  ): Job {
    return this.mailbox.post({
      event,
      actor,
      external,
      ...(options.sentAt === undefined ? {} : { sentAt: options.sentAt }),
      ...(options.recordsStep === true ? { recordsStep: true } : {}),
      ...auditOf(options),
    });
  }

  enqueueCancel(request: CancelRequest): Job {
    return this.mailbox.post({
      event: { type: 'CANCELLED' },
      actor: request.actor,
      external: true,
      cancel: { reason: request.reason },
      ...auditOf(request),
    });
  }

  enqueueMigration(request: MigrationRequest): Job {
    return this.mailbox.post({
      event: { type: 'MIGRATED' },
      actor: request.actor,
      external: true,
      migration: { toVersion: request.toVersion, reason: request.reason },
      ...auditOf(request),
    });
  }

  /** What moving to `toVersion` would do now, or why the process cannot move. */
  planMigration(toVersion: unknown, now: number): MigrationPlan | MigrationRefusal {
    if (!this.active) {
      const { type, details } = this.endedRefusal();
      return { refused: { type, details } };
    }
    if (this.invoked.size > 0) {
      // Its activity belongs to the old machine's state: migrate once it has answered.
      const { type, details } = refusal(SendFailure.notAllowed, {
        status: 409,
        detail: `An invoked actor is still running (${this.invoked.ids().join(', ')}); migrate once it has finished`,
        allowedEvents: this.allowedEvents(),
      });
      return { refused: { type, details } };
    }
    return planMigration(
      {
        definitions: this.versions.definitions,
        migrations: this.versions.migrations,
        current: this.definition,
        ...(this.args.delays ? { delays: this.args.delays } : {}),
        snapshot: this.snapshot,
        stateEntries: this.stateEntries,
        lastStepAt: Date.parse(this.updatedAt),
        timers: this.timers.list(),
      },
      toVersion,
      now,
    );
  }

  /** The dry run: the plan as an operator reads it, or the refusal a real migration would get. */
  migrationPreview(toVersion: unknown, at: string): MigrationPreview {
    const now = Number.isNaN(Date.parse(at)) ? Date.now() : Date.parse(at);
    const plan = this.planMigration(toVersion, now);
    return 'refused' in plan ? plan : plan.view;
  }

  /**
   * Moves the instance to another machine version as one audited step (`MIGRATED`): the new
   * machine, the mapped state and context, the timers as planned (counted from state entry; a
   * due one fires at once). No entry action runs: the process is where it was, in new rules.
   * Planned again at its turn: an event taken meanwhile may have moved the state.
   */
  private async migrate(job: Job, request: NonNullable<Job['migration']>): Promise<void> {
    const plan = this.planMigration(request.toVersion, Date.now());
    if ('refused' in plan) {
      job.refuse(refusal(plan.refused.type, plan.refused.details));
      return;
    }
    this.checkHealthy(plan.snapshot);
    const from = this.currentState();
    const fromVersion = this.definition.version;
    this.timers.cancelAll();
    this.definition = plan.definition;
    this.machine = plan.machine;
    this.eventTypes = Object.keys(plan.definition.events);
    this.snapshot = plan.snapshot;
    this.stateEntries = plan.stateEntries;
    for (const timer of plan.timers) this.timers.start(timer);
    this.publishState();
    this.step += 1;
    this.stepsThisRun += 1;
    this.updatedAt = nowIso();
    if (!this.projection.enabled) return;
    await this.projection.record(this.view(), {
      step: this.step,
      event: 'MIGRATED',
      actor: job.actor,
      from,
      at: this.updatedAt,
      detail: {
        fromVersion,
        toVersion: plan.definition.version,
        reason: request.reason,
        timers: plan.view.to.timers,
        ...(plan.view.notes.length > 0 ? { notes: plan.view.notes } : {}),
        ...job.audit,
      },
    });
  }

  enqueueTimerControl(request: TimerRequest): Job {
    const { actor, bulkAction: _, ...control } = request;
    return this.mailbox.post({
      event: { type: request.action === 'fire' ? 'TIMER_FIRED_NOW' : 'TIMER_MOVED' },
      actor,
      external: true,
      timerControl: control,
      ...auditOf(request),
    });
  }

  /** The read model still misses steps that wait in its catch-up queue. */
  get projectionsPending(): boolean {
    return this.projection.pending;
  }

  /** Every read model write ends with a history event: no answer follows a local activity. */
  get projectionByActivity(): boolean {
    return this.projection.byActivity;
  }

  /** Resolves once the read model has every step (see `Projection.landed`). */
  projectionsLanded(): Promise<void> {
    return this.projection.landed();
  }

  get active(): boolean {
    return this.snapshot.status === 'active' && !this.cancelled;
  }

  currentState(): string {
    return leafPaths(this.snapshot.value).join(', ');
  }

  allowedEvents(): string[] {
    return this.cancelled ? [] : allowedEvents(this.snapshot, this.eventTypes);
  }

  view(): ProcessView {
    if (this.redacted?.for !== this.snapshot) {
      this.redacted = {
        for: this.snapshot,
        context: redact(this.snapshot.context, this.definition.redact),
      };
    }
    return processView({
      id: workflowInfo().workflowId,
      definition: this.definition,
      machine: this.machine,
      args: this.args,
      snapshot: this.snapshot,
      cancelled: this.cancelled,
      timers: this.timers.list(),
      incident: this.activities.incident ?? null,
      children: this.invoked.views(),
      step: this.step,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      context: this.redacted.context,
    });
  }

  resumeState(): ResumeState {
    return {
      snapshot: this.machine.getPersistedSnapshot(this.snapshot),
      timers: this.timers.list(),
      step: this.step,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      stateEntries: this.stateEntries,
    };
  }

  /**
   * What an outside event would do now (what if), from the pure machine on the current
   * snapshot: the refusal a real event would get, or the state after the step, its timers
   * (counted from `at`) and its effects by name. Nothing is written, no effect runs.
   */
  preview(event: unknown, actor: string, at: string): EventPreview {
    const now = Number.isNaN(Date.parse(at)) ? Date.now() : Date.parse(at);
    if (!this.active) {
      const { type, details } = this.endedRefusal();
      return { refused: { type, details } };
    }
    let parsed: ProcessEvent;
    try {
      parsed = checkEvent(this.definition, this.snapshot, event).parsed;
    } catch (error) {
      const refused = refusalOfFailure(error);
      if (refused) return { refused };
      throw error;
    }
    const [next, actions] = this.steps.next(this.machine, this.snapshot, {
      ...parsed,
      receivedAt: new Date(now).toISOString(),
      actor,
    });
    const effects = toEffects(actions, this.machine, (i) => `preview.${i}`);
    for (const effect of effects) {
      if (effect.kind === 'emit' && effect.event.type === 'rejected') {
        const refused = rejection(effect.event as unknown as RejectionEmit, () =>
          this.allowedEvents(),
        );
        return { refused: { type: refused.type, details: refused.details } };
      }
    }
    const timers = new PureTimers();
    for (const timer of this.timers.list()) timers.start(timer);
    const active = next.status === 'active';
    applyTimerEffects(timers, effects, now, active);
    const leaves = leafPaths(next.value);
    return {
      from: {
        state: this.currentState(),
        stateLabel: stateLabelOf(this.machine, leafPaths(this.snapshot.value)),
      },
      to: {
        state: leaves.join(', '),
        stateLabel: stateLabelOf(this.machine, leaves),
        status: statusOf(next, false),
        allowedEvents: allowedEvents(next, this.eventTypes),
        timers: active ? timerViews(timers.list()) : [],
      },
      effects: previewEffects(effects),
    };
  }

  /**
   * One job: its event and everything its activities feed back, before the next job. `detail`
   * goes into the audit entry of the job's own event.
   */
  async process(job: Job, given?: Readonly<Record<string, unknown>>): Promise<void> {
    if (job.timer && !this.timers.take(job.timer)) return;
    if (job.invocation && !this.invoked.take(job.invocation)) return;
    const detail = job.audit || given ? { ...given, ...job.audit } : undefined;
    if (job.cancel) return this.cancel(job, job.cancel.reason);
    if (job.timerControl) return this.controlTimer(job, job.timerControl);
    if (job.migration) return this.migrate(job, job.migration);
    const chain: Link[] = [{ event: job.event, actor: job.actor }];
    for (let link = chain.shift(); link && this.active; link = chain.shift()) {
      const sentAt = link.event === job.event ? job.sentAt : undefined;
      const event = {
        ...link.event,
        receivedAt: nowIso(),
        actor: link.actor,
        ...(sentAt === undefined ? {} : { sentAt }),
      };
      if (job.external && link.event === job.event && !this.snapshot.can(event)) {
        job.refuse(
          refusal(SendFailure.notAllowed, {
            status: 409,
            detail: notAllowedDetail(this.snapshot, event.type),
            allowedEvents: this.allowedEvents(),
          }),
        );
        return;
      }
      this.step += 1;
      this.stepsThisRun += 1;
      const from = this.currentState();
      const [next, actions] = this.steps.next(this.machine, this.snapshot, event);
      this.checkHealthy(next);
      const step = this.step;
      const effects = toEffects(actions, this.machine, (i) => `${step}.${i}`);
      refuseChildrenWithoutSpawn(this.snapshot, next, effects);
      this.stateEntries = nextStateEntries(this.stateEntries, next, effects, Date.now());
      this.snapshot = next;
      this.updatedAt = nowIso();
      if (!this.active) {
        this.timers.cancelAll();
        this.invoked.stopAll();
      }
      this.publishState();
      chain.unshift(
        ...(await this.runEffects(
          effects,
          job,
          {
            step,
            event: event.type,
            actor: link.actor,
            from,
            at: this.updatedAt,
            ...(detail && link.event === job.event ? { detail } : {}),
          },
          { lastOfJob: chain.length === 0 },
        )),
      );
    }
  }

  /**
   * An operator fires a timer now (its event is taken as if it were due, in the operator's
   * name) or moves its due time (one audited step, the state unchanged). Refused when the
   * timer no longer runs: it may have fired, or been cancelled, since the request was checked.
   */
  private async controlTimer(job: Job, control: NonNullable<Job['timerControl']>): Promise<void> {
    if (!this.active) {
      job.refuse(this.endedRefusal());
      return;
    }
    const refusalOfTimer = this.timerRefusal(control.timer);
    if (refusalOfTimer) {
      job.refuse(refusalOfTimer);
      return;
    }
    const detail = { timer: control.timer, reason: control.reason, ...job.audit };
    if (control.action === 'fire') {
      const timer = this.timers.takeNamed(control.timer)!;
      await this.process(new Job({ event: timer.event, actor: job.actor, external: false }), {
        ...detail,
        firedEarly: true,
      });
      return;
    }
    const moved = this.timers.move(control.timer, Date.parse(control.dueAt!))!;
    await this.recordOperatorStep('TIMER_MOVED', job.actor, {
      ...detail,
      dueAt: new Date(moved.dueAt).toISOString(),
    });
  }

  /**
   * An operator's step that is no transition (a cancel, a moved timer, a retried incident): the
   * state stays, the step counts, and the audit says who, when and why.
   */
  private async recordOperatorStep(
    event: string,
    actor: string,
    detail: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    this.step += 1;
    this.stepsThisRun += 1;
    this.updatedAt = nowIso();
    if (!this.projection.enabled) return;
    const state = this.currentState();
    await this.projection.record(this.view(), {
      step: this.step,
      event,
      actor,
      from: state,
      at: this.updatedAt,
      detail,
    });
  }

  /** Why a timer cannot be fired or moved now; undefined when it runs. */
  timerRefusal(name: string): Refusal | undefined {
    if (this.timers.list().some((timer) => timer.name === name)) return undefined;
    const running = this.timers.list().map((timer) => timer.name);
    return refusal(SendFailure.notAllowed, {
      status: 409,
      detail: `No timer ${name} is running${running.length ? `; running: ${[...new Set(running)].join(', ')}` : ''}`,
      allowedEvents: this.allowedEvents(),
    });
  }

  /**
   * Ends the process where it stands: no timer fires any more, no event is taken, and the
   * audit trail says who cancelled and why.
   */
  private async cancel(job: Job, reason: string): Promise<void> {
    if (!this.active) {
      job.refuse(this.endedRefusal());
      return;
    }
    await this.end(job.actor, reason, job.audit);
  }

  /**
   * The workflow itself was cancelled through Temporal (its UI or CLI), not through the API:
   * the process records that as a cancel too, so the read model does not show it running.
   */
  async cancelledOutside(): Promise<void> {
    if (this.active) await this.end('temporal', 'Cancelled in Temporal, not through the API');
  }

  private async end(
    actor: string,
    reason: string,
    audit?: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    this.cancelled = true;
    this.timers.cancelAll();
    this.invoked.stopAll();
    await this.recordOperatorStep('CANCELLED', actor, { reason, ...audit });
  }

  private endedRefusal(): Refusal {
    return refusal(SendFailure.notAllowed, {
      status: 409,
      detail: `The process has ended (${statusOf(this.snapshot, this.cancelled)}) in state ${this.currentState()}`,
      allowedEvents: [],
    });
  }

  /** For validators: an ended process takes nothing more. */
  refuseEnded(): never {
    throw this.endedRefusal().toFailure();
  }

  /** Refuses every job still waiting once the process has ended. */
  refuseRemaining(): void {
    this.mailbox.refuseAll(() => this.endedRefusal());
  }

  private checkHealthy(snapshot: AnyMachineSnapshot): void {
    if (snapshot.status !== 'error') return;
    // A machine bug: fail the workflow task so that it is retried once the machine is fixed.
    throw snapshot.error instanceof Error ? snapshot.error : new Error(String(snapshot.error));
  }

  private publishState(): void {
    const state = this.currentState();
    // A child machine carries no search attributes: a search for processes must not find it.
    if (state === this.publishedState || this.args.child) return;
    this.publishedState = state;
    upsertSearchAttributes([{ key: ProcessSearchAttributes.state, value: state }]);
  }

  /**
   * Runs the effects of one step. Timers, cancels, emits and invoked actors take effect at the
   * instant of the transition, as in XState itself; then the read model records the step; then
   * the activities run one after the other, in order. Returns the events they feed back.
   * `now` is the transition's instant; `lastOfJob` says no step of the same job follows.
   */
  private async runEffects(
    effects: readonly Effect[],
    job: Job,
    audit: Parameters<Projection['record']>[1],
    { now = Date.now(), lastOfJob = false }: { now?: number; lastOfJob?: boolean } = {},
  ): Promise<Link[]> {
    applyTimerEffects(this.timers, effects, now, this.active);
    for (const effect of effects) {
      if (effect.kind === 'stopInvoke') this.invoked.stop(effect.id);
      // An invoked actor (an activity, a child workflow) runs beside the process; its outcome
      // comes as an event.
      if ((effect.kind === 'invoke' || effect.kind === 'invokeMachine') && this.active) {
        this.invoked.start(effect, audit.step, this.updatedAt, {
          args: this.args,
          version: this.definition.version,
        });
      }
      if (effect.kind === 'emit' && effect.event.type === 'rejected') {
        job.refuse(rejection(effect.event as unknown as RejectionEmit, () => this.allowedEvents()));
      }
    }
    // Histories from before the read model replay with exactly their old command order.
    const carrier =
      this.projection.withEffect && !this.projection.pending ? carrierOf(effects) : -1;
    // The view of the step, built once for its write and an answer ahead of that write.
    const view = this.projection.enabled ? this.view() : undefined;
    const recording = carrier >= 0 && view ? this.projection.carry(view, audit) : undefined;
    if (
      view &&
      lastOfJob &&
      job.recordsStep &&
      !job.refusal &&
      !recording &&
      effects.every(staysInWorkflow) &&
      this.projection.answersFirst()
    ) {
      job.answerUnwritten(view, this.projection.unwritten(view, audit));
    }
    if (view && !recording) await this.projection.record(view, audit);
    const feedback: Link[] = [];
    for (const [index, effect] of effects.entries()) {
      if (effect.kind === 'raiseLater') {
        feedback.push({ event: effect.event, actor: 'system' });
      } else if (effect.kind === 'sendToChild') {
        await this.invoked.sendTo(effect.id, effect.event);
      } else if (effect.kind === 'sendParent' && this.args.child) {
        await signalMachine(this.args.child.parentId, effect.event);
      } else if (effect.kind === 'continueAsNew') {
        this.continueAsNewRequested = this.active;
      } else if (effect.kind === 'startProcess') {
        const started = await this.activities.untilDone(
          START_PROCESS,
          this.step,
          () => startProcess(effect.params, this.args),
          (error) =>
            error instanceof ProcessKeyTaken
              ? { label: 'Folgeprozess nicht gestartet', message: error.message }
              : undefined,
        );
        if (effect.params.reply) {
          feedback.push({ event: { type: effect.params.reply, ...started }, actor: 'system' });
        }
      } else if (effect.kind === 'activity') {
        const result = await this.activities.call(
          effect.name,
          effect.params,
          this.step,
          index,
          this.updatedAt,
          index === carrier ? recording : undefined,
        );
        if (isEvent(result)) {
          const { event, reveal } = splitReveal(result);
          if (reveal) job.revealed = { ...job.revealed, ...reveal };
          feedback.push({ event, actor: 'system' });
        }
      }
    }
    return feedback;
  }
}

/**
 * The effect that carries its step's read model write: the first action, when nothing the loop
 * of `runEffects` does outside the workflow comes before it (a message to a child, a process
 * started); -1 when there is none and the step writes by itself.
 */
function carrierOf(effects: readonly Effect[]): number {
  const first = effects.findIndex(
    (effect) =>
      effect.kind === 'activity' ||
      effect.kind === 'sendToChild' ||
      effect.kind === 'sendParent' ||
      effect.kind === 'startProcess',
  );
  return first >= 0 && effects[first]!.kind === 'activity' ? first : -1;
}

/**
 * An effect the workflow takes at the instant of its step, waiting on nothing outside it: a
 * step of only these has nothing left to do but its read model write.
 */
const IN_WORKFLOW: ReadonlySet<Effect['kind']> = new Set([
  'schedule',
  'cancel',
  'emit',
  'continueAsNew',
  'stopInvoke',
]);
const staysInWorkflow = (effect: Effect): boolean => IN_WORKFLOW.has(effect.kind);

/** The refusal a validation failure carries (its type and first detail), if it is one. */
function refusalOfFailure(
  error: unknown,
): { readonly type: string; readonly details: Refusal['details'] } | undefined {
  if (!(error instanceof ApplicationFailure) || !error.type) return undefined;
  const details = error.details?.[0] as Refusal['details'] | undefined;
  return details ? { type: error.type, details } : undefined;
}

/** The audit facts of a request: the bulk action it belongs to, if any. */
const auditOf = (request: {
  readonly bulkAction?: string | undefined;
}): { audit?: Readonly<Record<string, unknown>> } =>
  request.bulkAction ? { audit: { bulkAction: request.bulkAction } } : {};
