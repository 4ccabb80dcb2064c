import { useState, type FormEvent } from 'react';
import {
  api,
  ApiError,
  cached,
  type BulkAction,
  type BulkActionSpec,
  type BulkPreview,
  type MachineDescription,
  type Problem,
  type TypeVersions,
} from '../api.js';
import { countOf } from '../format.js';
import { EVENT_LABELS, fieldLabel, migrateLabel, timerLabel } from '../labels.js';
import { navigate } from '../router.js';
import { useData } from '../use-data.js';
import { BulkPreviewPanel } from './bulk-preview.js';
import { ACTION_KINDS, FilterSummary } from './bulk-summary.js';
import { IRREVERSIBLE } from './event-form.js';
import { ProblemAlert } from './problem-alert.js';
import { EventFields, nest, type Values } from './schema-fields.js';

/**
 * One action for every process the list's filter selects: chosen here, previewed (how many,
 * which would refuse and why), and only then started, as a job whose page follows it. Any
 * change to the action takes the preview back, so what starts is what was previewed.
 */

type Kind = BulkActionSpec['kind'];

interface Draft {
  readonly kind: Kind;
  readonly event: string;
  readonly values: Values;
  readonly timer: string;
  readonly reason: string;
  readonly toVersion: number;
  readonly rate: number;
}

/** Events, timers and versions differ by process type: they need the filter to name one. */
const needsType = (kind: Kind): boolean =>
  kind === 'event' || kind === 'fireTimer' || kind === 'migrate';

function actionOf(draft: Draft): BulkActionSpec {
  switch (draft.kind) {
    case 'event':
      return { kind: 'event', event: { ...nest(draft.values), type: draft.event } };
    case 'cancel':
      return { kind: 'cancel', reason: draft.reason };
    case 'retry':
      return { kind: 'retry' };
    case 'fireTimer':
      return { kind: 'fireTimer', timer: draft.timer, reason: draft.reason };
    case 'migrate':
      return { kind: 'migrate', toVersion: draft.toVersion, reason: draft.reason };
  }
}

const PATH_LABELS: Readonly<Record<string, string>> = {
  filter: 'Filter',
  'filter.type': 'Prozessart',
  'action.event.type': 'Ereignis',
  'action.timer': 'Timer',
  'action.reason': 'Grund',
  'action.toVersion': 'Version',
  ratePerSecond: 'Vorgänge pro Sekunde',
};

/** An invalid field of the request by its German name: `action.event.address.city` → Adresse › Ort. */
const pathLabel = (path: string): string =>
  PATH_LABELS[path] ??
  (path.startsWith('action.event.')
    ? path.slice('action.event.'.length).split('.').map(fieldLabel).join(' › ')
    : path);

export function BulkActionForm({
  filter,
  migrateTo,
  onClose,
}: {
  filter: Readonly<Record<string, string>>;
  /** Opened to move the selection to this version. */
  migrateTo?: number;
  onClose: () => void;
}) {
  const type = filter.type ?? '';
  const machine = useData(
    () => (type ? cached<MachineDescription>(`/machines/${type}`) : Promise.resolve(undefined)),
    `machine-${type}`,
  );
  const versions = useData(
    () =>
      type
        ? api<TypeVersions>(`/process-types/${encodeURIComponent(type)}/versions`)
        : Promise.resolve(undefined),
    `versions-${type}`,
  );
  const [draft, setDraft] = useState<Draft>({
    kind: migrateTo ? 'migrate' : type ? 'event' : 'retry',
    event: '',
    values: {},
    timer: '',
    reason: '',
    toVersion: migrateTo ?? 0,
    rate: 20,
  });
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const irreversible =
    draft.kind === 'cancel' || (draft.kind === 'event' && IRREVERSIBLE.test(draft.event));

  const change = (patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    setPreview(null);
    setConfirmed(false);
  };

  const send = async <T,>(path: string, done: (answer: T) => void) => {
    setBusy(true);
    setProblem(null);
    try {
      done(
        await api<T>(path, {
          method: 'POST',
          body: { filter, action: actionOf(draft), ratePerSecond: draft.rate },
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
  const showPreview = (event: FormEvent) => {
    event.preventDefault();
    setPreview(null);
    void send<BulkPreview>('/bulk-actions/preview', setPreview);
  };
  const start = () =>
    void send<BulkAction>('/bulk-actions', (job) =>
      navigate(`/massenaktionen/${encodeURIComponent(job.id)}`),
    );

  return (
    <form className="event-form bulk-form" onSubmit={showPreview} aria-labelledby="bulk-title">
      <h3 id="bulk-title">Massenaktion</h3>
      <p>
        Auswahl (die Filter der Liste): <FilterSummary filter={filter} />
      </p>
      <fieldset>
        <legend>Aktion</legend>
        {(Object.keys(ACTION_KINDS) as Kind[]).map((kind) => (
          <label key={kind} className="check">
            <input
              type="radio"
              name="bulk-kind"
              checked={draft.kind === kind}
              disabled={needsType(kind) && !type}
              onChange={() => change({ kind })}
            />
            {ACTION_KINDS[kind]}
            {needsType(kind) && !type && (
              <span className="hint">(nur mit einer gefilterten Prozessart)</span>
            )}
          </label>
        ))}
      </fieldset>
      {draft.kind === 'event' && (
        <label>
          Ereignis *
          <select
            required
            value={draft.event}
            onChange={(e) => change({ event: e.target.value, values: {} })}
          >
            <option value="">– bitte wählen –</option>
            {(machine.data?.events ?? []).map((event) => (
              <option key={event} value={event}>
                {EVENT_LABELS[event] ?? event}
              </option>
            ))}
          </select>
        </label>
      )}
      {draft.kind === 'event' && draft.event && (
        <EventFields
          key={draft.event}
          type={type}
          event={draft.event}
          values={draft.values}
          onChange={(path, value) => change({ values: { ...draft.values, [path]: value } })}
        />
      )}
      {draft.kind === 'fireTimer' && (
        <label>
          Timer *
          <select required value={draft.timer} onChange={(e) => change({ timer: e.target.value })}>
            <option value="">– bitte wählen –</option>
            {(machine.data?.timers ?? []).map((timer) => (
              <option key={timer.name} value={timer.name}>
                {timerLabel(timer.name)}
              </option>
            ))}
          </select>
        </label>
      )}
      {draft.kind === 'migrate' && (
        <label>
          Zielversion *
          <select
            required
            value={draft.toVersion || ''}
            onChange={(e) => change({ toVersion: Number(e.target.value) })}
          >
            <option value="">– bitte wählen –</option>
            {(versions.data?.versions ?? [])
              .filter((version) => version.version > 1)
              .map((version) => (
                <option key={version.version} value={version.version}>
                  {migrateLabel(version.version)}
                </option>
              ))}
          </select>
        </label>
      )}
      {(draft.kind === 'cancel' || draft.kind === 'fireTimer' || draft.kind === 'migrate') && (
        <label>
          Grund *
          <textarea
            required
            maxLength={500}
            value={draft.reason}
            onChange={(e) => change({ reason: e.target.value })}
          />
          <span className="hint">Steht im Verlauf jedes Vorgangs.</span>
        </label>
      )}
      <label>
        Höchstens so viele Vorgänge pro Sekunde
        <input
          type="number"
          required
          min={1}
          max={200}
          value={draft.rate}
          onChange={(e) => change({ rate: Number(e.target.value) })}
        />
      </label>
      {preview && <BulkPreviewPanel preview={preview} />}
      {preview && irreversible && preview.willAct > 0 && (
        <label className="check confirm">
          <input
            type="checkbox"
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
          />
          Ja, für {countOf(preview.willAct, 'Vorgang', 'Vorgänge')} ausführen. Das kann nicht
          rückgängig gemacht werden.
        </label>
      )}
      {problem && (
        <ProblemAlert problem={problem} conflict="Das geht gerade nicht." pathLabel={pathLabel} />
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          Vorschau
        </button>
        {preview && (
          <button
            type="button"
            className={irreversible ? 'danger' : 'primary'}
            disabled={busy || preview.willAct === 0 || (irreversible && !confirmed)}
            onClick={start}
          >
            Für {countOf(preview.willAct, 'Vorgang', 'Vorgänge')} starten
          </button>
        )}
        <button type="button" onClick={onClose}>
          Schließen
        </button>
      </div>
    </form>
  );
}
