import type { ProcessView } from '../api.js';
import { formatTime } from '../format.js';

type Child = ProcessView['children'][number];

const KIND_LABELS: Readonly<Record<Child['kind'], string>> = {
  activity: 'Aktivität',
  machine: 'Teilprozess',
};

/**
 * What the process waits for besides its timers: the activities and child machines it runs
 * now. A child machine shows where it stands and, in red, an action of its own that waits for a
 * retry; nothing else on the page would tell why the process does not move on.
 */
export function RunningChildren({ actors }: { actors: readonly Child[] }) {
  if (actors.length === 0) return null;
  return (
    <section aria-labelledby="children">
      <h2 id="children">Laufende Teilschritte</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Teilschritt</th>
            <th scope="col">Art</th>
            <th scope="col">seit</th>
            <th scope="col">Zustand</th>
          </tr>
        </thead>
        <tbody>
          {actors.map((child) => (
            <tr key={`${child.id}-${child.step}`} data-testid="child">
              <td>
                {child.id} <span className="muted">({child.src})</span>
              </td>
              <td>{KIND_LABELS[child.kind]}</td>
              <td>{formatTime(child.since)}</td>
              <td>
                {child.kind === 'activity' ? (
                  <span className="muted">läuft</span>
                ) : (
                  (child.stateLabel ?? <span className="muted">nicht abrufbar</span>)
                )}
                {child.incident && (
                  <span className="child-incident" title={child.incident.message}>
                    {' '}
                    Störung: {child.incident.label}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
