import { useState } from 'react';
import { TimerActions } from '../components/timer-actions.js';
import {
  api,
  cached,
  type History,
  type MachineDescription,
  type ProcessMessages,
  type ProcessView,
  type Session,
} from '../api.js';
import { ContextView } from '../components/context-view.js';
import { RunningChildren } from '../components/running-children.js';
import { EventForm, IRREVERSIBLE } from '../components/event-form.js';
import { actionLabel, CHANNEL_LABELS, EVENT_LABELS, eventLabel, timerLabel } from '../labels.js';
import { StateDiagram } from '../components/state-diagram.js';
import { LoadState, OverdueBadge, StatusBadge } from '../components/status.js';
import { countdown, formatRelative, formatTime } from '../format.js';
import { Link } from '../router.js';
import { stateName } from '../state-names.js';
import { useProcessEvents } from '../live-events.js';
import { useData, useNow } from '../use-data.js';

const MESSAGE_STATUS: Readonly<Record<string, string>> = {
  sending: 'wird gesendet',
  sent: 'gesendet',
  failed: 'fehlgeschlagen',
};

/** What an operator's step says besides its event: the versions, the timer, the action, the reason, the bulk action. */
function AuditDetail({ detail }: { detail: Record<string, unknown> }) {
  const parts: string[] = [];
  if (typeof detail.fromVersion === 'number' && typeof detail.toVersion === 'number') {
    parts.push(`Version ${detail.fromVersion} → ${detail.toVersion}`);
  }
  if (typeof detail.timer === 'string') {
    parts.push(
      `Frist: ${timerLabel(detail.timer)}${detail.firedEarly === true ? ' (vorzeitig ausgelöst)' : ''}`,
    );
  }
  if (typeof detail.dueAt === 'string') parts.push(`neu fällig ${formatTime(detail.dueAt)}`);
  if (typeof detail.action === 'string') parts.push(`Aktion: ${actionLabel(detail.action)}`);
  if (typeof detail.reason === 'string') parts.push(`Begründung: ${detail.reason}`);
  const bulk = typeof detail.bulkAction === 'string' ? detail.bulkAction : null;
  if (parts.length === 0 && !bulk) return null;
  return (
    <div className="muted audit-detail">
      {parts.join(' · ')}
      {bulk && (
        <>
          {parts.length > 0 && ' · '}
          <Link to={`/massenaktionen/${encodeURIComponent(bulk)}`}>Massenaktion {bulk}</Link>
        </>
      )}
    </div>
  );
}

/** One process: where it stands, what happened, what happens next, and what can be done now. */
export function ProcessPage({ id, session }: { id: string; session: Session }) {
  const now = useNow(1000);
  const path = `/processes/${encodeURIComponent(id)}`;
  // Reloaded when this process moves; polled as a fallback, every 15 s only while the stream is down.
  const live = useProcessEvents((events) => {
    if (events.some((event) => event === 'gap' || event.data.processId === id)) reloadAll();
  });
  const refreshMs = live ? 300_000 : 15_000;
  const view = useData(() => api<ProcessView>(path), `view-${id}`, refreshMs);
  const history = useData(
    () => api<Pick<History, 'entries'>>(`${path}/history`).catch(() => ({ entries: [] })),
    `history-${id}`,
    refreshMs,
  );
  const messages = useData(
    () =>
      api<Pick<ProcessMessages, 'messages'>>(`${path}/messages`).catch(() => ({ messages: [] })),
    `messages-${id}`,
    refreshMs,
  );
  const type = view.data?.type;
  const machine = useData(
    () => (type ? cached<MachineDescription>(`/machines/${type}`) : Promise.resolve(undefined)),
    `machine-${type ?? ''}`,
  );
  const [action, setAction] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const process = view.data;
  const mayControlTimers = session.role !== 'client' && process?.status === 'active';
  const stateLabels = new Map(
    (machine.data?.states ?? []).map((state) => [state.id, stateName(machine.data, state.id)]),
  );
  const reloadAll = () => {
    view.reload();
    history.reload();
    messages.reload();
  };

  return (
    <>
      <p>
        <Link to="/prozesse">← Alle Vorgänge</Link>
      </p>
      <LoadState loading={view.loading && !process} error={view.error} />
      {process && (
        <>
          <h1>
            {machine.data?.title ?? process.type}{' '}
            <span className="muted">{process.businessKey}</span>
          </h1>
          <section className="summary" aria-label="Stand">
            <p className="state-line">
              Zustand: <strong data-testid="state-label">{process.stateLabel}</strong>{' '}
              <StatusBadge status={process.status} /> <OverdueBadge sla={process.sla} />
              {process.sla && !process.sla.overdue ? (
                <span className="muted"> Frist des Zustands: {formatTime(process.sla.dueAt)}</span>
              ) : null}
            </p>
            {process.stateHint ? (
              <p className="state-hint" data-testid="state-hint">
                Hinweis an die Person: {process.stateHint}
              </p>
            ) : null}
            <p className="muted">
              {process.id} · Praxis {process.practiceId ?? '–'} · Version {process.version} ·
              angelegt {formatTime(process.createdAt)} · zuletzt geändert{' '}
              {formatRelative(process.updatedAt, now)}
            </p>
            {process.incident && (
              <p role="alert" className="error">
                Störung: {process.incident.message} (Aktion {process.incident.action})
              </p>
            )}
            <p className="links">
              {session.links.temporalUi && (
                <a
                  href={`${session.links.temporalUi}/namespaces/${encodeURIComponent(session.namespace)}/workflows/${encodeURIComponent(process.id)}`}
                  target="_blank"
                  rel="noreferrer"
                >
                  In der Temporal-Oberfläche öffnen
                </a>
              )}
              {session.links.inbox && (
                <a href={session.links.inbox} target="_blank" rel="noreferrer">
                  Posteingang (Entwicklung)
                </a>
              )}
            </p>
          </section>

          {notice && (
            <p role="status" className="notice">
              {notice}
            </p>
          )}

          <section aria-labelledby="actions">
            <h2 id="actions">Aktionen</h2>
            {process.allowedEvents.length === 0 && (
              <p className="muted">In diesem Zustand ist nichts zu tun.</p>
            )}
            <div className="actions">
              {process.allowedEvents.map((event) => (
                <button
                  key={event}
                  type="button"
                  className={IRREVERSIBLE.test(event) ? 'danger' : ''}
                  aria-expanded={action === event}
                  onClick={() => {
                    setAction(action === event ? null : event);
                    setNotice(null);
                  }}
                >
                  {EVENT_LABELS[event] ?? event}
                </button>
              ))}
            </div>
            {action && (
              <EventForm
                key={action}
                process={process}
                event={action}
                onCancel={() => setAction(null)}
                onDone={(next) => {
                  setAction(null);
                  setNotice(`${EVENT_LABELS[action] ?? action}: jetzt „${next.stateLabel}“.`);
                  reloadAll();
                }}
              />
            )}
          </section>

          <section aria-labelledby="timers">
            <h2 id="timers">Was als Nächstes passiert</h2>
            {process.timers.length === 0 ? (
              <p className="muted">Keine Fristen offen.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Frist</th>
                    <th scope="col">fällig</th>
                    <th scope="col">noch</th>
                    {mayControlTimers && <th scope="col">Aktion</th>}
                  </tr>
                </thead>
                <tbody>
                  {process.timers.map((timer) => (
                    <tr key={timer.name}>
                      <td title={timer.name}>{timerLabel(timer.name)}</td>
                      <td>
                        {formatTime(timer.dueAt)} ({formatRelative(timer.dueAt, now)})
                      </td>
                      <td className="countdown">{countdown(timer.dueAt, now)}</td>
                      {mayControlTimers && (
                        <td>
                          <TimerActions
                            processId={process.id}
                            timer={timer}
                            onDone={(text) => {
                              setNotice(text);
                              reloadAll();
                            }}
                          />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <RunningChildren actors={process.children} />

          {machine.data && (
            <section aria-labelledby="diagram">
              <h2 id="diagram">Ablauf</h2>
              <StateDiagram
                machine={machine.data}
                current={process.state}
                taken={history.data?.entries ?? []}
              />
            </section>
          )}

          <section aria-labelledby="context">
            <h2 id="context">Angaben</h2>
            <ContextView context={process.context} />
          </section>

          <section aria-labelledby="history">
            <h2 id="history">Verlauf</h2>
            <table className="history">
              <thead>
                <tr>
                  <th scope="col">Schritt</th>
                  <th scope="col">Zeit</th>
                  <th scope="col">Ereignis</th>
                  <th scope="col">von → nach</th>
                  <th scope="col">durch</th>
                </tr>
              </thead>
              <tbody>
                {(history.data?.entries ?? []).map((entry) => (
                  <tr key={entry.step}>
                    <td>{entry.step}</td>
                    <td>{formatTime(entry.at)}</td>
                    <td>
                      {eventLabel(entry.event)}
                      {entry.detail && <AuditDetail detail={entry.detail} />}
                    </td>
                    <td>
                      {entry.from ? (stateLabels.get(entry.from) ?? entry.from) : 'Start'} →{' '}
                      {entry.toLabel}
                    </td>
                    <td>{entry.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section aria-labelledby="messages">
            <h2 id="messages">Nachrichten</h2>
            {(messages.data?.messages ?? []).length === 0 ? (
              <p className="muted">Keine Nachrichten.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Zeit</th>
                    <th scope="col">Kanal</th>
                    <th scope="col">an</th>
                    <th scope="col">Betreff</th>
                    <th scope="col">Stand</th>
                  </tr>
                </thead>
                <tbody>
                  {messages.data!.messages.map((message) => (
                    <tr key={`${message.step}-${message.createdAt}-${message.subject}`}>
                      <td>{formatTime(message.createdAt)}</td>
                      <td>{CHANNEL_LABELS[message.channel] ?? message.channel}</td>
                      <td>{message.recipient}</td>
                      <td>{message.subject}</td>
                      <td>
                        {MESSAGE_STATUS[message.status] ?? message.status}
                        {message.attempts > 1 ? ` (${message.attempts} Versuche)` : ''}
                        {message.lastError ? ` – ${message.lastError}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
