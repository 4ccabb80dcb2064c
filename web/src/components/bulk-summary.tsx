import { cached, type BulkActionSpec, type MachineDescription, type MachineList } from '../api.js';
import { formatTime, STATUS_LABELS } from '../format.js';
import { EVENT_LABELS, migrateLabel, timerLabel } from '../labels.js';
import { stateName } from '../state-names.js';
import { useData } from '../use-data.js';

/** A bulk action's action and filter as operators read them: German names, no codes. */

export const ACTION_KINDS: Readonly<Record<BulkActionSpec['kind'], string>> = {
  event: 'Ereignis senden',
  cancel: 'Abbrechen',
  retry: 'Störungen erneut versuchen',
  fireTimer: 'Timer jetzt auslösen',
  migrate: 'Auf neue Version umstellen',
};

/** „Ereignis senden: Einladung erneut senden“, „Timer jetzt auslösen: Ablauf der Einladung“. */
export function actionTitle(action: BulkActionSpec): string {
  const kind = ACTION_KINDS[action.kind];
  if (action.kind === 'event')
    return `${kind}: ${EVENT_LABELS[action.event.type] ?? action.event.type}`;
  if (action.kind === 'fireTimer') return `${kind}: ${timerLabel(action.timer)}`;
  if (action.kind === 'migrate') return migrateLabel(action.toVersion);
  return kind;
}

const FILTER_LABELS: Readonly<Record<string, string>> = {
  type: 'Prozessart',
  state: 'Zustand',
  status: 'Status',
  version: 'Version',
  practiceId: 'Praxis',
  businessKey: 'Geschäftsschlüssel',
  q: 'Suche',
  dueBefore: 'fällig vor',
  updatedSince: 'geändert seit',
  incident: 'Störung',
  overdue: 'Frist',
};

const CHOICES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  incident: { true: 'nur mit Störung', false: 'ohne Störung' },
  overdue: { true: 'nur überfällige', false: 'nicht überfällig' },
  status: STATUS_LABELS,
};

/** „Prozessart „Einladung eines Benutzers“ · Praxis „BSNR-123“ · Zustand „Eingeladen““. */
export function FilterSummary({ filter }: { filter: Readonly<Record<string, string>> }) {
  const type = filter.type ?? '';
  const machines = useData(() => cached<MachineList>('/machines'), 'machines');
  const machine = useData(
    () => (type ? cached<MachineDescription>(`/machines/${type}`) : Promise.resolve(undefined)),
    `machine-${type}`,
  );
  const valueOf = (name: string, value: string): string => {
    if (name === 'type') return machines.data?.items.find((m) => m.type === value)?.title ?? value;
    if (name === 'state') return stateName(machine.data, value);
    if (name === 'dueBefore' || name === 'updatedSince') return formatTime(value);
    return CHOICES[name]?.[value] ?? value;
  };
  const parts = Object.entries(filter)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${FILTER_LABELS[name] ?? name} „${valueOf(name, value)}“`);
  return <>{parts.length ? parts.join(' · ') : 'alle Vorgänge (kein Filter)'}</>;
}
