import { useState, type FormEvent } from 'react';
import {
  api,
  cached,
  type MachineDescription,
  type MachineList,
  type ProcessList,
} from '../api.js';
import { BulkActionForm } from '../components/bulk-action-form.js';
import { LoadState, OverdueBadge, StatusBadge } from '../components/status.js';
import { VersionCounts } from '../components/version-counts.js';
import { formatRelative, formatTime, STATUS_LABELS } from '../format.js';
import { Link, navigate } from '../router.js';
import { stateName } from '../state-names.js';
import { useProcessEvents } from '../live-events.js';
import { useData, useNow } from '../use-data.js';

/** Every filter of `GET /api/v1/processes`; the URL holds them, so a view can be shared. */
const FILTERS = [
  'type',
  'state',
  'status',
  'version',
  'practiceId',
  'businessKey',
  'q',
  'dueBefore',
  'updatedSince',
  'incident',
  'overdue',
] as const;
type Filter = (typeof FILTERS)[number];

type SortKey = 'id' | 'stateLabel' | 'status' | 'nextDueAt' | 'updatedAt' | 'createdAt';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'id', label: 'Vorgang' },
  { key: 'stateLabel', label: 'Zustand' },
  { key: 'status', label: 'Status' },
  { key: 'nextDueAt', label: 'Nächste Fälligkeit' },
  { key: 'updatedAt', label: 'Zuletzt geändert' },
  { key: 'createdAt', label: 'Angelegt' },
];

/** `2026-12-01T10:00` (datetime-local, German time shown by the browser) ↔ ISO. */
const toLocalInput = (iso: string | null): string => {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
};
const fromLocalInput = (value: string): string => (value ? new Date(value).toISOString() : '');

function Due({ at, now }: { at: string | null; now: number }) {
  if (!at) return <span className="muted">–</span>;
  return (
    <time dateTime={at} title={formatTime(at)}>
      {formatRelative(at, now)}
      <span className="abs"> ({formatTime(at)})</span>
    </time>
  );
}

export function ProcessList({ query }: { query: URLSearchParams }) {
  const now = useNow(30_000);
  const current = Object.fromEntries(
    FILTERS.map((name) => [name, query.get(name) ?? '']),
  ) as Record<Filter, string>;
  const cursor = query.get('cursor') ?? '';
  const sort = (query.get('sort') ?? '') as SortKey | '';
  const descending = query.get('order') !== 'asc';
  const [draft, setDraft] = useState(current);
  const [bulk, setBulk] = useState(false);
  // A migration's bulk action: the list's filter on one version, moved to a later one.
  const [migration, setMigration] = useState<{ from: number; to: number } | null>(null);
  const queryKey = query.toString();
  // A bulk action selects what the URL's filters select, not the form's unapplied changes.
  const applied = Object.fromEntries(
    FILTERS.filter((name) => current[name]).map((name) => [name, current[name]]),
  );

  const machines = useData(() => cached<MachineList>('/machines'), 'machines');
  const machine = useData(
    () =>
      draft.type
        ? cached<MachineDescription>(`/machines/${draft.type}`)
        : Promise.resolve(undefined),
    `machine-${draft.type}`,
  );
  // Reloaded as processes move; polled as a fallback, every 30 s only while the stream is down.
  const live = useProcessEvents(() => list.reload());
  const list = useData(
    () => {
      const params = new URLSearchParams();
      for (const name of FILTERS) if (current[name]) params.set(name, current[name]);
      if (cursor) params.set('cursor', cursor);
      params.set('limit', '50');
      return api<ProcessList>(`/processes?${params}`);
    },
    `list-${queryKey}`,
    live ? 300_000 : 30_000,
  );

  const go = (values: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
    navigate(`/prozesse${params.size ? `?${params}` : ''}`);
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    go({ ...draft, sort, order: descending ? '' : 'asc' });
  };
  const sortBy = (key: SortKey) =>
    go({ ...current, cursor, sort: key, order: sort === key && descending ? 'asc' : '' });

  const titles = new Map((machines.data?.items ?? []).map((m) => [m.type, m.title]));
  const items = [...(list.data?.items ?? [])];
  if (sort) {
    items.sort((a, b) => {
      const x = a[sort] ?? '';
      const y = b[sort] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
    });
  }
  // A state without a label of its own (a phase of its parent) is named by its parent's label
  // and its description: "Bearbeitung beendet – erinnert nach 21 Tagen".
  const states = (machine.data?.states ?? []).map((state) => ({
    id: state.id,
    name: stateName(machine.data, state.id),
  }));
  const set = (name: Filter) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));

  return (
    <>
      <h1>Vorgänge</h1>
      <form className="filters" onSubmit={apply} aria-label="Filter">
        <label>
          Prozessart
          <select
            value={draft.type}
            onChange={(e) => setDraft((d) => ({ ...d, type: e.target.value, state: '' }))}
          >
            <option value="">alle</option>
            {(machines.data?.items ?? []).map((m) => (
              <option key={m.type} value={m.type}>
                {m.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Zustand
          <select
            value={draft.state}
            onChange={(e) => set('state')(e.target.value)}
            disabled={!draft.type}
          >
            <option value="">alle</option>
            {states.map((state) => (
              <option key={state.id} value={state.id}>
                {`${'· '.repeat(state.id.split('.').length - 1)}${state.name}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => set('status')(e.target.value)}>
            <option value="">alle</option>
            {Object.entries(STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Version
          <input
            type="number"
            min={1}
            value={draft.version}
            onChange={(e) => set('version')(e.target.value)}
            disabled={!draft.type}
          />
        </label>
        <label>
          Praxis
          <input
            value={draft.practiceId}
            onChange={(e) => set('practiceId')(e.target.value)}
            placeholder="BSNR-…"
          />
        </label>
        <label>
          Geschäftsschlüssel
          <input value={draft.businessKey} onChange={(e) => set('businessKey')(e.target.value)} />
        </label>
        <label>
          Suche
          <input
            type="search"
            value={draft.q}
            onChange={(e) => set('q')(e.target.value)}
            placeholder="Name, Nummer …"
          />
        </label>
        <label>
          Fällig vor
          <input
            type="datetime-local"
            value={toLocalInput(draft.dueBefore)}
            onChange={(e) => set('dueBefore')(fromLocalInput(e.target.value))}
          />
        </label>
        <label>
          Geändert seit
          <input
            type="datetime-local"
            value={toLocalInput(draft.updatedSince)}
            onChange={(e) => set('updatedSince')(fromLocalInput(e.target.value))}
          />
        </label>
        <label>
          Störung
          <select value={draft.incident} onChange={(e) => set('incident')(e.target.value)}>
            <option value="">egal</option>
            <option value="true">nur mit Störung</option>
            <option value="false">ohne Störung</option>
          </select>
        </label>
        <label>
          Frist
          <select value={draft.overdue} onChange={(e) => set('overdue')(e.target.value)}>
            <option value="">egal</option>
            <option value="true">nur überfällige</option>
            <option value="false">nicht überfällig</option>
          </select>
        </label>
        <div className="buttons">
          <button type="submit">Filtern</button>
          <button
            type="button"
            onClick={() => {
              setDraft(
                Object.fromEntries(FILTERS.map((name) => [name, ''])) as Record<Filter, string>,
              );
              go({});
            }}
          >
            Zurücksetzen
          </button>
        </div>
      </form>
      <p className="toolbar">
        <button
          type="button"
          aria-expanded={bulk}
          onClick={() => {
            setMigration(null);
            setBulk(!bulk);
          }}
        >
          Massenaktion …
        </button>
      </p>
      {current.type && (
        <VersionCounts
          type={current.type}
          onMigrate={(from, to) => {
            setMigration({ from, to });
            setBulk(true);
          }}
        />
      )}
      {bulk && migration && (
        <BulkActionForm
          key={`migrate-${migration.from}-${migration.to}-${JSON.stringify(applied)}`}
          filter={{
            ...applied,
            status: applied.status ?? 'active',
            version: String(migration.from),
          }}
          migrateTo={migration.to}
          onClose={() => setBulk(false)}
        />
      )}
      {bulk && !migration && (
        <BulkActionForm
          key={JSON.stringify(applied)}
          filter={applied}
          onClose={() => setBulk(false)}
        />
      )}
      <LoadState loading={list.loading} error={list.error} />
      {list.data && (
        <>
          <p className="muted" aria-live="polite">
            {items.length} Vorgänge auf dieser Seite{cursor ? ' (weitere Seite)' : ''}; aktualisiert
            alle 30 Sekunden.
          </p>
          <table className="processes">
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th
                    key={column.key}
                    scope="col"
                    aria-sort={
                      sort === column.key ? (descending ? 'descending' : 'ascending') : 'none'
                    }
                  >
                    <button type="button" className="sort" onClick={() => sortBy(column.key)}>
                      {column.label}
                      {sort === column.key ? (descending ? ' ▼' : ' ▲') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/prozesse/${encodeURIComponent(item.id)}`}>
                      {item.about ?? item.businessKey}
                    </Link>
                    <div className="muted small">
                      {titles.get(item.type) ?? item.type}
                      {item.about ? ` · ${item.businessKey}` : ''}
                    </div>
                  </td>
                  <td>
                    {item.stateLabel}
                    {item.incident ? <span className="badge badge-failed"> Störung</span> : null}
                    {item.sla?.overdue ? ' ' : null}
                    <OverdueBadge sla={item.sla} />
                  </td>
                  <td>
                    <StatusBadge status={item.status} />
                  </td>
                  <td>
                    <Due at={item.nextDueAt} now={now} />
                  </td>
                  <td>
                    <Due at={item.updatedAt} now={now} />
                  </td>
                  <td>
                    <Due at={item.createdAt} now={now} />
                  </td>
                </tr>
              ))}
              {items.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length}>Keine Vorgänge für diese Filter.</td>
                </tr>
              )}
            </tbody>
          </table>
          <nav className="pager" aria-label="Seiten">
            {cursor && (
              <button
                type="button"
                onClick={() => go({ ...current, sort, order: descending ? '' : 'asc' })}
              >
                Erste Seite
              </button>
            )}
            {list.data.nextCursor && (
              <button
                type="button"
                onClick={() =>
                  go({
                    ...current,
                    cursor: list.data!.nextCursor!,
                    sort,
                    order: descending ? '' : 'asc',
                  })
                }
              >
                Nächste Seite
              </button>
            )}
          </nav>
        </>
      )}
    </>
  );
}
