import { api, type BulkActionList } from '../api.js';
import { BulkProgress, BulkStatusBadge } from '../components/bulk-progress.js';
import { actionTitle, FilterSummary } from '../components/bulk-summary.js';
import { LoadState } from '../components/status.js';
import { formatTime } from '../format.js';
import { Link } from '../router.js';
import { useData } from '../use-data.js';

/** The latest bulk actions, with how far each has come; refreshed faster while one runs. */
export function BulkActionsPage() {
  const jobs = useData(
    () => api<BulkActionList>('/bulk-actions'),
    'bulk-actions',
    (data) => (data?.items.some((job) => job.status === 'running') ? 2_000 : 15_000),
  );
  const items = jobs.data?.items;

  return (
    <>
      <h1>Massenaktionen</h1>
      <p className="muted">
        Eine Massenaktion beginnt in der <Link to="/prozesse">Liste der Vorgänge</Link>: filtern,
        dann „Massenaktion …“. Hier stehen die letzten 50.
      </p>
      <LoadState loading={jobs.loading && !items} error={jobs.error} />
      {items && (
        <table className="bulk-actions">
          <thead>
            <tr>
              <th scope="col">Aktion</th>
              <th scope="col">Auswahl</th>
              <th scope="col">Status</th>
              <th scope="col">Fortschritt</th>
              <th scope="col">Gestartet</th>
              <th scope="col">von</th>
            </tr>
          </thead>
          <tbody>
            {items.map((job) => (
              <tr key={job.id}>
                <td>
                  <Link to={`/massenaktionen/${encodeURIComponent(job.id)}`}>
                    {actionTitle(job.action)}
                  </Link>
                  <div className="muted small">{job.id}</div>
                </td>
                <td className="small">
                  <FilterSummary filter={job.filter} />
                </td>
                <td>
                  <BulkStatusBadge status={job.status} />
                </td>
                <td>
                  <BulkProgress job={job} />
                </td>
                <td>{formatTime(job.createdAt)}</td>
                <td>{job.actor}</td>
              </tr>
            ))}
            {items.length === 0 && (
              <tr>
                <td colSpan={6}>Noch keine Massenaktionen.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </>
  );
}
