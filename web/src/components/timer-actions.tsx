import { useState, type FormEvent } from 'react';
import { api, ApiError, type ProcessView } from '../api.js';
import { timerLabel } from '../labels.js';

/**
 * An operator's control of one running timer: fire it now, or move its due time — each with a
 * reason for the audit trail. The process answers its new view; a timer that has fired
 * meanwhile is refused (409) and said so.
 */
export function TimerActions({
  processId,
  timer,
  onDone,
}: {
  processId: string;
  timer: { readonly name: string; readonly dueAt: string };
  onDone: (notice: string) => void;
}) {
  const [mode, setMode] = useState<'fire' | 'move' | null>(null);
  const [reason, setReason] = useState('');
  const [dueAt, setDueAt] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = timerLabel(timer.name);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const base = `/processes/${encodeURIComponent(processId)}/timers/${encodeURIComponent(timer.name)}`;
      const view =
        mode === 'fire'
          ? await api<ProcessView>(`${base}/fire`, { method: 'POST', body: { reason } })
          : await api<ProcessView>(`${base}/move`, {
              method: 'POST',
              // `datetime-local` is the browser's local time: sent with its offset.
              body: { dueAt: new Date(dueAt).toISOString(), reason },
            });
      setMode(null);
      onDone(
        mode === 'fire'
          ? `${label}: ausgelöst, jetzt „${view.stateLabel}“.`
          : `${label}: verschoben.`,
      );
    } catch (caught) {
      setProblem(caught instanceof ApiError ? caught.problem.detail : String(caught));
    } finally {
      setBusy(false);
    }
  };

  if (!mode) {
    return (
      <span className="buttons">
        <button type="button" onClick={() => setMode('fire')}>
          Jetzt auslösen
        </button>
        <button type="button" onClick={() => setMode('move')}>
          Verschieben
        </button>
      </span>
    );
  }
  return (
    <form className="timer-form" onSubmit={(e) => void submit(e)} aria-label={`${label} ändern`}>
      {mode === 'move' && (
        <label>
          Neue Fälligkeit
          <input
            type="datetime-local"
            required
            value={dueAt}
            onChange={(e) => setDueAt(e.target.value)}
          />
        </label>
      )}
      <label>
        Begründung
        <input required value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <span className="buttons">
        <button type="submit" disabled={busy || reason.trim() === ''}>
          {mode === 'fire' ? `${label} jetzt auslösen` : `${label} verschieben`}
        </button>
        <button type="button" onClick={() => setMode(null)}>
          Abbrechen
        </button>
      </span>
    </form>
  );
}
