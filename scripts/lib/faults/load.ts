/**
 * The steady load of the fault run: invitations started through the API at a fixed rate, each
 * with a plan — revoked a few seconds later, accepted with the token from its email (then the
 * personal data), or left to expire — plus reads of the view, the list, the audit trail and
 * /healthz. A refused request (503, no answer) is retried as a well-behaved client would.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer, HttpRecorder } from './http.js';
import type { MailWatcher } from './mail.js';

type Plan = 'revoke' | 'accept' | 'expire';

export interface SentEvent {
  readonly type: string;
  /**
   * applied: 200; accepted: 202 (the process has it, its effects still ran: taken unless the
   * state moved on before its turn); refused: a 4xx at the first try; unknown: a 4xx after a
   * lost answer, or no answer at all.
   */
  readonly outcome: 'applied' | 'accepted' | 'refused' | 'unknown';
  readonly status: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface Invitation {
  readonly n: number;
  readonly email: string;
  readonly inviterEmail: string;
  readonly plan: Plan;
  /** The process id, once the API confirmed the start. */
  id?: string;
  /** created: 201; created late: 409 "already running" after a lost answer; refused: never got through. */
  start: 'pending' | 'created' | 'created late' | 'refused';
  /** The last answer to the start. */
  startStatus?: number;
  readonly events: SentEvent[];
}

export interface LoadKeys {
  readonly admin: string;
  /** A key of the invitations' practice, looked up in Postgres by the API. */
  readonly client: string;
  readonly operator: string;
}

export const PRACTICE_ID = 'BSNR-700000001';
export const BIRTH_DATE = '1980-05-17';
const MAX_TRIES = 8;

/** The invitation's messages, by subject. */
export const SUBJECTS = {
  invitation: /^Einladung zu „/,
  reminder: /^Erinnerung: Ihre Einladung/,
  // Version 2 shows the code on the registration page; this status email says it is there.
  activationCode: /^Status Ihrer Registrierung: Aktivierung Ihres Zugangs/,
  expired: /^Einladung abgelaufen/,
} as const;
const FIRST_NAMES = ['Erika', 'Jonas', 'Leonie', 'Mehmet', 'Ida', 'Olaf', 'Greta', 'Anton'];
const LAST_NAMES = ['Mustermann', 'Berger', 'Brandt', 'Yilmaz', 'Stein', 'Krause', 'Vogel'];

const planOf = (n: number): Plan => (['revoke', 'accept', 'expire'] as const)[n % 3] ?? 'expire';

export class LoadGenerator {
  readonly invitations: Invitation[] = [];
  private readonly lives = new Set<Promise<void>>();
  private starter: NodeJS.Timeout | undefined;
  private reader: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly http: HttpRecorder,
    private readonly mail: MailWatcher,
    private readonly keys: LoadKeys,
  ) {}

  /** Starts `perSecond` invitations a second and reads once a second until `stop()`. */
  start(perSecond: number): void {
    this.starter = setInterval(
      () => this.track(this.life(this.invitations.length)),
      1000 / perSecond,
    );
    this.reader = setInterval(() => this.track(this.read()), 1000);
  }

  /** No new invitations; waits up to `graceMs` for the follow-ups in flight. */
  async stop(graceMs: number): Promise<void> {
    clearInterval(this.starter);
    clearInterval(this.reader);
    const all = Promise.allSettled([...this.lives]);
    await Promise.race([all, sleep(graceMs)]);
    this.stopping = true; // whatever still waits gives up at its next step
  }

  /** Follow-ups still waiting (for an email, a retry). */
  get inFlight(): number {
    return this.lives.size;
  }

  private track(life: Promise<void>): void {
    this.lives.add(life);
    void life.finally(() => this.lives.delete(life));
  }

  private keyOf(invitation: Invitation): string {
    return invitation.n % 2 === 0 ? this.keys.client : this.keys.admin;
  }

  private async life(n: number): Promise<void> {
    const invitation: Invitation = {
      n,
      email: `eingeladen.${n}@praxis.example`,
      inviterEmail: `einladend.${n}@praxis.example`,
      plan: planOf(n),
      start: 'pending',
      events: [],
    };
    this.invitations.push(invitation);
    if (!(await this.startProcess(invitation))) return;
    if (invitation.plan === 'revoke') {
      await sleep(2000 + (n % 5) * 1000);
      await this.send(invitation, {
        type: 'INVITATION_REVOKED',
        reason: `Fehlertest: Einladung ${n} widerrufen`,
      });
    } else if (invitation.plan === 'accept') {
      const token = await this.tokenFromEmail(invitation);
      if (!token) return;
      const started = await this.send(invitation, { type: 'REGISTRATION_STARTED', token });
      if (started === 'refused') return;
      // Accepted but not yet through its token check: give it the time a person would.
      if (started === 'accepted') await sleep(5000);
      await this.send(invitation, { type: 'PERSONAL_DATA_SUBMITTED', birthDate: BIRTH_DATE });
    }
  }

  private async startProcess(invitation: Invitation): Promise<boolean> {
    const { n } = invitation;
    const body = {
      input: {
        salutation: n % 2 === 0 ? 'Frau' : 'Herr',
        firstName: FIRST_NAMES[n % FIRST_NAMES.length],
        lastName: LAST_NAMES[n % LAST_NAMES.length],
        email: invitation.email,
        practiceId: PRACTICE_ID,
        inviter: { name: 'Dr. Fehlertest', email: invitation.inviterEmail },
      },
    };
    for (let attempt = 1; attempt <= MAX_TRIES && !this.stopping; attempt += 1) {
      const answer = await this.http.call('start', 'POST', '/api/v1/processes/invitation', {
        key: this.keyOf(invitation),
        body,
      });
      invitation.startStatus = answer.status;
      if (answer.status === 201 && typeof answer.body.id === 'string') {
        invitation.id = answer.body.id;
        invitation.start = attempt === 1 ? 'created' : 'created late';
        return true;
      }
      // The first try got through, only its answer was lost.
      if (answer.status === 409 && attempt > 1 && typeof answer.body.processId === 'string') {
        invitation.id = answer.body.processId;
        invitation.start = 'created late';
        return true;
      }
      if (!retriable(answer)) break;
      await sleep(retryDelayMs(answer));
    }
    invitation.start = 'refused';
    return false;
  }

  /** Sends an event, retrying while the API is unavailable; returns how it ended. */
  private async send(
    invitation: Invitation,
    payload: { type: string } & Record<string, unknown>,
  ): Promise<SentEvent['outcome']> {
    let lost = false;
    let last: Answer = { status: 0, body: {}, retryAfterS: undefined };
    for (let attempt = 1; attempt <= MAX_TRIES && !this.stopping; attempt += 1) {
      last = await this.http.call('event', 'POST', `/api/v1/processes/${invitation.id}/events`, {
        key: this.keyOf(invitation),
        body: payload,
      });
      if (!retriable(last)) break;
      lost = true;
      await sleep(retryDelayMs(last));
    }
    const outcome =
      last.status === 200
        ? 'applied'
        : last.status === 202
          ? 'accepted'
          : lost || retriable(last)
            ? 'unknown'
            : 'refused';
    invitation.events.push({ type: payload.type, outcome, status: last.status, payload });
    return outcome;
  }

  /** The registration token from the invitation email's link, once it arrived. */
  private async tokenFromEmail(invitation: Invitation): Promise<string | undefined> {
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline && !this.stopping) {
      for (const mail of this.mail.to(invitation.email)) {
        const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
        if (SUBJECTS.invitation.test(mail.subject) && token) return token;
      }
      await sleep(500);
    }
    return undefined;
  }

  /** What operators and the portal read meanwhile: a view, the list, a history, health. */
  private async read(): Promise<void> {
    const started = this.invitations.filter((invitation) => invitation.id);
    const some = started[Math.floor(Math.random() * started.length)];
    await Promise.all([
      this.http.call('health', 'GET', '/healthz'),
      this.http.call('list', 'GET', '/api/v1/processes?type=invitation&limit=20', {
        key: this.keys.operator,
      }),
      ...(some?.id
        ? [
            this.http.call('view', 'GET', `/api/v1/processes/${some.id}`, {
              key: this.keyOf(some),
            }),
            this.http.call('history', 'GET', `/api/v1/processes/${some.id}/history`, {
              key: this.keys.client,
            }),
          ]
        : []),
    ]);
  }
}

const retriable = (answer: Answer): boolean => answer.status === 503 || answer.status === 0;

const retryDelayMs = (answer: Answer): number =>
  Math.min(Math.max(answer.retryAfterS ?? 2, 1), 10) * 1000;
