import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import {
  NO_CHANNEL_WARNING,
  type DigestItem,
  type NightlyDigestContext,
} from '../../machines/nightly-digest.schema.js';
import type { ContactVerificationContext } from '../../machines/contact-verification.schema.js';
import { maskPhone } from '../../machines/contact.schema.js';
import { latestDefinition } from '../../machines/registry.js';
import {
  deliverSignal,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
  type SendMeta,
} from '../../workflows/protocol.js';
import { callerOf, mayActForPractice, requireRole } from '../auth.js';
import { AppError, notFound } from '../errors.js';
import { viewOf } from '../process-handles.js';
import { appointmentBody, practiceIdParameter } from '../practice-schemas.js';
import { fromTemporal } from '../temporal-errors.js';
import { planApiStart } from '../start-plan.js';
import { parseOrThrow } from '../validation.js';

export interface PracticeRoutesDeps {
  readonly client: Client;
  readonly taskQueue: string;
  /** German wall-clock time of the nightly overview (`01:30`). */
  readonly digestTime: string;
  readonly delays: Readonly<Record<string, number>>;
}

/** What `GET /practices/{id}/digest` answers: what is collected, when it goes, and where. */
interface DigestOverview {
  readonly practiceId: string;
  readonly stateLabel: string;
  readonly items: readonly DigestItem[];
  readonly nextDigestAt: string | null;
  readonly channel: { readonly channel: 'email' | 'fax'; readonly address: string } | null;
  readonly warning: string | null;
  readonly lastSent: NightlyDigestContext['lastSent'];
}

/**
 * The first report starts the newest version of the overview; a running one keeps the version it
 * started with (signal-with-start only signals it).
 */
const nightlyDigest = latestDefinition('nightlyDigest')!;

/** A fax number shows masked; an email address as it is (the practice's own). */
const shownAddress = (inUse: NonNullable<ContactVerificationContext['inUse']>) =>
  inUse.channel === 'fax' ? maskPhone(inUse.address) : inUse.address;

/**
 * The appointment service reports bookings and cancellations per practice (signal-with-start
 * of the practice's nightly overview: the first report starts it); operators and the practice
 * see what is collected and when it goes.
 */
export function practiceRoutes(deps: PracticeRoutesDeps): Router {
  const router = Router();

  const practiceOf = (raw: unknown, caller: ReturnType<typeof callerOf>): string => {
    const parsed = practiceIdParameter.safeParse(raw);
    if (!parsed.success || !mayActForPractice(caller, parsed.data)) {
      throw notFound(`No practice ${String(raw).slice(0, 80)}`);
    }
    return parsed.data;
  };

  router.post(
    '/practices/:practiceId/appointments',
    requireRole('admin', 'client'),
    async (req, res) => {
      const caller = callerOf(req);
      const practiceId = practiceOf(req.params.practiceId, caller);
      const report = parseOrThrow(appointmentBody, req.body ?? {}, 'The appointment');
      const plan = planApiStart(nightlyDigest, {
        input: { practiceId, digestTime: deps.digestTime },
        practiceId,
      });
      const workflowId = plan.processId;
      const args: ProcessArgs = {
        input: plan.input,
        version: nightlyDigest.version,
        businessKey: plan.businessKey,
        practiceId,
        actor: caller.keyId,
        delays: deps.delays,
      };
      const event: ProcessEvent = { type: 'APPOINTMENT_RECORDED', ...report };
      const meta: SendMeta = { actor: caller.keyId, sentAt: new Date().toISOString() };
      try {
        await deps.client.workflow.signalWithStart(nightlyDigest.type, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [args],
          signal: deliverSignal,
          signalArgs: [event, meta],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: plan.searchAttributes,
        });
      } catch (error) {
        throw fromTemporal(error, workflowId);
      }
      // Accepted: it is in the practice's overview once the process has taken it (a repeat of
      // the same appointment and kind counts once).
      res
        .status(202)
        .location(`/api/v1/practices/${encodeURIComponent(practiceId)}/digest`)
        .json({
          practiceId,
          processId: workflowId,
          kind: report.kind,
          appointmentId: report.appointmentId,
        });
    },
  );

  router.get('/practices/:practiceId/digest', async (req, res) => {
    const practiceId = practiceOf(req.params.practiceId, callerOf(req));
    const [digest, verification] = await Promise.all([
      optionalView(deps.client, `${nightlyDigest.type}-${practiceId}`),
      optionalView(deps.client, `contactVerification-${practiceId}`),
    ]);
    const context = digest?.context as NightlyDigestContext | undefined;
    const inUse = (verification?.context as ContactVerificationContext | undefined)?.inUse ?? null;
    const items = context?.items ?? [];
    const overview: DigestOverview = {
      practiceId,
      stateLabel: digest?.stateLabel ?? 'Nichts zu senden',
      items,
      nextDigestAt: digest?.timers.find((timer) => timer.name === 'digestDue')?.dueAt ?? null,
      channel: inUse ? { channel: inUse.channel, address: shownAddress(inUse) } : null,
      warning: context?.warning ?? (items.length > 0 && !inUse ? NO_CHANNEL_WARNING : null),
      lastSent: context?.lastSent ?? null,
    };
    res.json(overview);
  });

  return router;
}

/** The view of a process that may not exist (yet): undefined then. */
async function optionalView(client: Client, id: string): Promise<ProcessView | undefined> {
  try {
    return await viewOf(client.workflow.getHandle(id));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    const mapped = fromTemporal(error, id);
    if (mapped instanceof AppError && mapped.status === 404) return undefined;
    throw mapped;
  }
}
