import type { BulkAction } from '../api.js';
import { BULK_ITEM_LABELS, BULK_STATUS_LABELS } from '../labels.js';

const RESULTS = Object.keys(BULK_ITEM_LABELS) as (keyof typeof BULK_ITEM_LABELS)[];

export function BulkStatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{BULK_STATUS_LABELS[status] ?? status}</span>;
}

/**
 * How far a bulk action has come: one bar, a segment per result (erledigt, abgelehnt, …), and
 * with `counts` each result's number beside it.
 */
export function BulkProgress({ job, counts = false }: { job: BulkAction; counts?: boolean }) {
  const finished = job.total - job.counts.pending;
  const share = (count: number) => (job.total ? (count * 100) / job.total : 0);
  return (
    <div className="bulk-progress">
      <div
        className="bar"
        role="progressbar"
        aria-label={`Fortschritt der Massenaktion ${job.id}`}
        aria-valuemin={0}
        aria-valuemax={job.total}
        aria-valuenow={finished}
        aria-valuetext={`${finished} von ${job.total}`}
      >
        {RESULTS.filter((result) => result !== 'pending').map((result) => (
          <span
            key={result}
            className={`segment result-${result}`}
            style={{ width: `${share(job.counts[result])}%` }}
          />
        ))}
      </div>
      <span className="small">
        {finished} von {job.total} ({Math.round(share(finished))} %)
      </span>
      {counts && (
        <ul className="inline-list results" aria-label="Ergebnisse">
          {RESULTS.map((result) => (
            <li key={result}>
              <span className={`swatch result-${result}`} /> {BULK_ITEM_LABELS[result]}:{' '}
              <strong>{job.counts[result]}</strong>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
