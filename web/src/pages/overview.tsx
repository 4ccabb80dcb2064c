import { api, cached, type MachineList, type Overview } from '../api.js';
import { LoadState, StatusBadge } from '../components/status.js';
import { formatRelative, formatTime } from '../format.js';
import { Link } from '../router.js';
import { useProcessEvents } from '../live-events.js';
import { useData } from '../use-data.js';

const inHours = (hours: number) => new Date(Date.now() + hours * 3600e3).toISOString();

/** Counts by type and state, what is due soon, incidents, the latest steps. */
export function OverviewPage() {
  // Reloaded as processes move; polled as a fallback, every 30 s only while the stream is down.
  const live = useProcessEvents(() => overview.reload());
  const overview = useData(() => api<Overview>('/overview'), 'overview', live ? 300_000 : 30_000);
  const machines = useData(() => cached<MachineList>('/machines'), 'machines');
  const titles = new Map((machines.data?.items ?? []).map((m) => [m.type, m.title]));
  const data = overview.data;
  const byType = new Map<string, Overview['counts'][number][]>();
  for (const row of data?.counts ?? [])
    byType.set(row.type, [...(byType.get(row.type) ?? []), row]);

  return (
    <>
      <h1>Übersicht</h1>
      <LoadState loading={overview.loading && !data} error={overview.error} />
      {data && (
        <>
          <section className="cards" aria-label="Fällig und Störungen">
            <Link
              className="card"
              to={`/prozesse?status=active&dueBefore=${encodeURIComponent(inHours(24))}`}
            >
              <span className="big">{data.dueWithin24h}</span> fällig in den nächsten 24 Stunden
            </Link>
            <Link
              className="card"
              to={`/prozesse?status=active&dueBefore=${encodeURIComponent(inHours(24 * 7))}`}
            >
              <span className="big">{data.dueWithin7d}</span> fällig in den nächsten 7 Tagen
            </Link>
            <Link
              className={`card${data.overdue ? ' warn' : ''}`}
              to="/prozesse?status=active&overdue=true"
            >
              <span className="big" data-testid="overdue-total">
                {data.overdue}
              </span>{' '}
              überfällig (länger im Zustand als seine Frist)
            </Link>
            <Link className={`card${data.incidents ? ' warn' : ''}`} to="/prozesse?incident=true">
              <span className="big">{data.incidents}</span> Störungen (Benachrichtigung
              fehlgeschlagen)
            </Link>
          </section>
          <section aria-labelledby="counts">
            <h2 id="counts">Vorgänge nach Art und Zustand</h2>
            {byType.size === 0 && <p>Noch keine Vorgänge.</p>}
            {[...byType].map(([type, rows]) => (
              <table key={type} className="counts">
                <caption>{titles.get(type) ?? type}</caption>
                <thead>
                  <tr>
                    <th scope="col">Zustand</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Anzahl
                    </th>
                    <th scope="col" className="num">
                      davon überfällig
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={`${row.state}-${row.status}`}>
                      <td>
                        <Link
                          to={`/prozesse?type=${type}&state=${encodeURIComponent(row.state)}&status=${row.status}`}
                        >
                          {row.stateLabel}
                        </Link>
                      </td>
                      <td>
                        <StatusBadge status={row.status} />
                      </td>
                      <td className="num">{row.count}</td>
                      <td className="num">
                        {row.overdue > 0 ? (
                          <Link
                            to={`/prozesse?type=${type}&state=${encodeURIComponent(row.state)}&status=${row.status}&overdue=true`}
                          >
                            {row.overdue}
                          </Link>
                        ) : (
                          <span className="muted">0</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </section>
          <section aria-labelledby="recent">
            <h2 id="recent">Letzte Aktivität</h2>
            <ol className="recent">
              {data.recent.map((entry) => (
                <li key={`${entry.processId}-${entry.step}`}>
                  <time dateTime={entry.at} title={formatTime(entry.at)}>
                    {formatRelative(entry.at)}
                  </time>{' '}
                  <Link
                    to={`/prozesse/${encodeURIComponent(entry.processId)}`}
                    title={entry.processId}
                  >
                    {entry.about ?? entry.processId}
                  </Link>
                  : {entry.event} → {entry.toLabel} <span className="muted">({entry.actor})</span>
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </>
  );
}
