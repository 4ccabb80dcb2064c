import { useState } from 'react';
import { api, type BulkItem, type BulkItemPage } from '../api.js';
import { formatTime } from '../format.js';
import { BULK_ITEM_LABELS, REFUSAL_LABELS } from '../labels.js';
import { Link } from '../router.js';
import { useData } from '../use-data.js';
import { LoadState } from './status.js';

const PAGE = 50;

/** What became of one process: the state it reached, or why it refused or failed. */
function Outcome({ item }: { item: BulkItem }) {
  const { outcome } = item;
  if (!outcome) return <span className="muted">–</span>;
  if (outcome.stateLabel) return <>jetzt „{outcome.stateLabel}“</>;
  return (
    <>
      {outcome.code && REFUSAL_LABELS[outcome.code] ? `${REFUSAL_LABELS[outcome.code]}: ` : ''}
      {outcome.reason ?? ''}
    </>
  );
}

/**
 * The result per process, filterable by result and paged with `after`/`nextAfter`; loaded again
 * whenever `progress` changes (the job moved on).
 */
export function BulkItems({ id, progress }: { id: string; progress: string }) {
  const [status, setStatus] = useState('');
  // The `after` of each page shown so far: the last one is the current page's.
  const [pages, setPages] = useState<number[]>([]);
  const after = pages.at(-1);
  const items = useData(
    () => {
      const params = new URLSearchParams({ limit: String(PAGE) });
      if (status) params.set('status', status);
      if (after !== undefined) params.set('after', String(after));
      return api<BulkItemPage>(`/bulk-actions/${encodeURIComponent(id)}/items?${params}`);
    },
    `bulk-items-${id}-${status}-${after ?? ''}-${progress}`,
  );

  return (
    <>
      <label className="inline">
        Ergebnis
        <select
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setPages([]);
          }}
        >
          <option value="">alle</option>
          {Object.entries(BULK_ITEM_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <LoadState loading={items.loading && !items.data} error={items.error} />
      {items.data && (
        <table className="bulk-items">
          <thead>
            <tr>
              <th scope="col" className="num">
                Nr.
              </th>
              <th scope="col">Vorgang</th>
              <th scope="col">Ergebnis</th>
              <th scope="col">Stand oder Grund</th>
              <th scope="col">Zeit</th>
            </tr>
          </thead>
          <tbody>
            {items.data.items.map((item) => (
              <tr key={item.position}>
                <td className="num">{item.position + 1}</td>
                <td>
                  <Link to={`/prozesse/${encodeURIComponent(item.processId)}`}>
                    {item.processId}
                  </Link>
                </td>
                <td>
                  <span className={`badge result-${item.status}`}>
                    {BULK_ITEM_LABELS[item.status]}
                  </span>
                </td>
                <td>
                  <Outcome item={item} />
                </td>
                <td>{item.finishedAt ? formatTime(item.finishedAt) : '–'}</td>
              </tr>
            ))}
            {items.data.items.length === 0 && (
              <tr>
                <td colSpan={5}>Keine Vorgänge mit diesem Ergebnis.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Seiten der Ergebnisse">
        {pages.length > 0 && (
          <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
            Vorherige Seite
          </button>
        )}
        {items.data?.nextAfter != null && (
          <button type="button" onClick={() => setPages([...pages, items.data!.nextAfter!])}>
            Nächste Seite
          </button>
        )}
      </nav>
    </>
  );
}
