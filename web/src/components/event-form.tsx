import { useState, type FormEvent } from 'react';
import { api, ApiError, type EventPreview, type Problem, type ProcessView } from '../api.js';
import { formatTime } from '../format.js';
import { actionLabel, CHANNEL_LABELS, EVENT_LABELS, timerLabel } from '../labels.js';
import { ProblemAlert } from './problem-alert.js';
import { EventFields, nest, type Values } from './schema-fields.js';

/**
 * An action on a process: the form of its event, generated from the event's JSON Schema in the
 * API's OpenAPI document (schema-fields.tsx); irreversible events (Sperrung, Ablehnung, Widerruf, …) ask for
 * confirmation first. A refusal (409, 422) is explained in the page. „Vorschau“ shows what the
 * event would do (state, timers, messages) before anything is sent.
 */

/** Events that cannot be undone: they ask „wirklich?“ first. */
export const IRREVERSIBLE = /(BLOCKED|REJECTED|REVOKED|WITHDRAWN|CLOSED)$/;

export function EventForm({
  process,
  event,
  onDone,
  onCancel,
}: {
  process: ProcessView;
  event: string;
  onDone: (view: ProcessView) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Values>({});
  const [confirmed, setConfirmed] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<EventPreview | null>(null);
  const irreversible = IRREVERSIBLE.test(event);
  const title = EVENT_LABELS[event] ?? event;

  const showPreview = async () => {
    setBusy(true);
    setProblem(null);
    setPreview(null);
    try {
      setPreview(
        await api<EventPreview>(`/processes/${encodeURIComponent(process.id)}/events/preview`, {
          method: 'POST',
          body: { type: event, ...nest(values) },
        }),
      );
    } catch (caught) {
      setProblem(
        caught instanceof ApiError ? caught.problem : { status: 0, detail: String(caught) },
      );
    } finally {
      setBusy(false);
    }
  };

  const submit = async (formEvent: FormEvent) => {
    formEvent.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const view = await api<ProcessView>(`/processes/${encodeURIComponent(process.id)}/events`, {
        method: 'POST',
        body: { type: event, ...nest(values) },
      });
      onDone(view);
    } catch (caught) {
      setProblem(
        caught instanceof ApiError ? caught.problem : { status: 0, detail: String(caught) },
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="event-form" onSubmit={(e) => void submit(e)} aria-labelledby={`form-${event}`}>
      <h3 id={`form-${event}`}>
        {title} <code className="muted">{event}</code>
      </h3>
      <EventFields
        type={process.type}
        event={event}
        values={values}
        onChange={(path, value) => {
          setPreview(null);
          setValues((v) => ({ ...v, [path]: value }));
        }}
      />
      {irreversible && (
        <label className="check confirm">
          <input
            type="checkbox"
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
          />
          Ja, „{title}“ ausführen. Das kann nicht rückgängig gemacht werden.
        </label>
      )}
      {preview && <PreviewPanel preview={preview} />}
      {problem && <ProblemAlert problem={problem} />}
      <div className="buttons">
        <button
          type="submit"
          disabled={busy || (irreversible && !confirmed)}
          className={irreversible ? 'danger' : ''}
        >
          {busy ? 'Wird ausgeführt …' : title}
        </button>
        <button type="button" disabled={busy} onClick={() => void showPreview()}>
          Vorschau
        </button>
        <button type="button" onClick={onCancel}>
          Abbrechen
        </button>
      </div>
    </form>
  );
}

/** What the event would do, as the operator reads it before confirming. */
function PreviewPanel({ preview }: { preview: EventPreview }) {
  const { from, to, effects } = preview;
  return (
    <section className="preview" aria-label="Vorschau">
      <h4>Vorschau – noch nichts ausgeführt</h4>
      <p>
        {from.state === to.state
          ? `Der Vorgang bliebe in „${to.stateLabel}“.`
          : `Der Vorgang ginge von „${from.stateLabel}“ nach „${to.stateLabel}“.`}
        {to.status === 'done' && ' Danach ist er abgeschlossen.'}
      </p>
      <p>
        Ausgelöst würde:{' '}
        {effects.length === 0
          ? 'keine Nachricht und keine Aktion.'
          : effects
              .map((effect) => {
                const action = actionLabel(effect.name);
                const channel = effect.channel ? CHANNEL_LABELS[effect.channel] : undefined;
                return (
                  action +
                  (effect.template ? ` (Vorlage ${effect.template})` : '') +
                  (channel && !action.includes(channel) ? ` per ${channel}` : '')
                );
              })
              .join(', ') + '.'}
      </p>
      {to.timers.length > 0 && (
        <ul>
          {to.timers.map((timer) => (
            <li key={`${timer.name}-${timer.dueAt}`}>
              {timerLabel(timer.name)}: {formatTime(timer.dueAt)}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        Möglich wären danach:{' '}
        {to.allowedEvents.length
          ? to.allowedEvents.map((name) => EVENT_LABELS[name] ?? name).join(', ')
          : 'keine Aktionen'}
        .
      </p>
    </section>
  );
}
