import { useState } from 'react';
import { api, ApiError, type BulkAction, type Problem } from '../api.js';
import { BulkItems } from '../components/bulk-items.js';
import { BulkProgress, BulkStatusBadge } from '../components/bulk-progress.js';
import { actionTitle, FilterSummary } from '../components/bulk-summary.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { LoadState } from '../components/status.js';
import { countOf, formatTime } from '../format.js';
import { fieldLabel } from '../labels.js';
import { Link } from '../router.js';
import { useData } from '../use-data.js';

/** „Abbrechen“ for a running bulk action, after a „wirklich?“: the pending ones are skipped. */
function CancelBulkAction({ job, onDone }: { job: BulkAction; onDone: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const cancel = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api<BulkAction>(`/bulk-actions/${encodeURIComponent(job.id)}/cancel`, {
        method: 'POST',
      });
      setAsking(false);
    } catch (caught) {
      setProblem(
        caught instanceof ApiError ? caught.problem : { status: 0, detail: String(caught) },
      );
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return (
    <div className="cancel-bulk">
      {!asking ? (
        <button type="button" className="danger" onClick={() => setAsking(true)}>
          Abbrechen
        </button>
      ) : (
        <div role="group" aria-label="Abbrechen bestätigen" className="confirm-box">
          <p>
            Wirklich abbrechen? Die Vorgänge, die gerade bearbeitet werden, behalten ihr Ergebnis;
            die übrigen ({countOf(job.counts.pending, 'Vorgang', 'Vorgänge')}) werden übersprungen.
          </p>
          <span className="buttons">
            <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
              Ja, Massenaktion abbrechen
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              Nein, weiterlaufen lassen
            </button>
          </span>
        </div>
      )}
      {problem && <ProblemAlert problem={problem} conflict="Die Massenaktion ist schon beendet." />}
    </div>
  );
}

/** Extra fields of the action: the reason of a cancel or a timer, an event's payload. */
function actionDetails(job: BulkAction): string[] {
  const { action } = job;
  if (action.kind === 'cancel' || action.kind === 'fireTimer' || action.kind === 'migrate')
    return [`Grund: ${action.reason}`];
  if (action.kind !== 'event') return [];
  return Object.entries(action.event)
    .filter(([name]) => name !== 'type')
    .map(
      ([name, value]) =>
        `${fieldLabel(name)}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
}

/** One bulk action: what, for which processes, by whom, how far, and the result per process. */
export function BulkActionPage({ id }: { id: string }) {
  const job = useData(
    () => api<BulkAction>(`/bulk-actions/${encodeURIComponent(id)}`),
    `bulk-action-${id}`,
    // A cancelled one may still have processes in flight: followed until each has its result.
    (data) => (data && data.status !== 'running' && data.counts.pending === 0 ? undefined : 1_500),
  );
  const data = job.data;

  return (
    <>
      <p>
        <Link to="/massenaktionen">← Alle Massenaktionen</Link>
      </p>
      <LoadState loading={job.loading && !data} error={job.error} />
      {data && (
        <>
          <h1>
            Massenaktion <span className="muted">{data.id}</span>
          </h1>
          <dl className="context">
            <div>
              <dt>Aktion</dt>
              <dd>
                {actionTitle(data.action)}
                {actionDetails(data).map((detail) => (
                  <div key={detail} className="muted">
                    {detail}
                  </div>
                ))}
              </dd>
            </div>
            <div>
              <dt>Auswahl</dt>
              <dd>
                <FilterSummary filter={data.filter} />
              </dd>
            </div>
            <div>
              <dt>Gestartet</dt>
              <dd>
                {formatTime(data.createdAt)} von {data.actor}, höchstens {data.ratePerSecond}{' '}
                Vorgänge pro Sekunde
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>
                <BulkStatusBadge status={data.status} />
                {data.finishedAt && <> seit {formatTime(data.finishedAt)}</>}
              </dd>
            </div>
          </dl>
          <section aria-labelledby="progress">
            <h2 id="progress">Fortschritt</h2>
            <BulkProgress job={data} counts />
            {data.status === 'running' && (
              <>
                <p className="muted small">Wird jede Sekunde oder zwei aktualisiert.</p>
                <CancelBulkAction job={data} onDone={job.reload} />
              </>
            )}
          </section>
          <section aria-labelledby="items">
            <h2 id="items">Ergebnis je Vorgang</h2>
            <BulkItems id={data.id} progress={`${data.status}-${JSON.stringify(data.counts)}`} />
          </section>
        </>
      )}
    </>
  );
}
