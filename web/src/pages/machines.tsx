import { cached, type MachineDescription, type MachineList } from '../api.js';
import { EVENT_LABELS, timerLabel } from '../labels.js';
import { StateDiagram } from '../components/state-diagram.js';
import { LoadState } from '../components/status.js';
import { formatDuration } from '../format.js';
import { stateName } from '../state-names.js';
import { useData } from '../use-data.js';

/** Every process type: its diagram, states with labels, timers with their default length. */
export function MachinesPage() {
  const machines = useData(async () => {
    const { items } = await cached<MachineList>('/machines');
    return Promise.all(items.map((item) => cached<MachineDescription>(`/machines/${item.type}`)));
  }, 'machines-all');

  return (
    <>
      <h1>Prozessarten</h1>
      <LoadState loading={machines.loading} error={machines.error} />
      {(machines.data ?? []).map((machine) => (
        <section key={machine.type} aria-labelledby={`m-${machine.type}`} className="machine">
          <h2 id={`m-${machine.type}`}>
            {machine.title}{' '}
            <span className="muted">
              ({machine.type}, Version {machine.version})
            </span>
          </h2>
          <StateDiagram machine={machine} />
          <div className="columns">
            <table>
              <caption>Zustände</caption>
              <thead>
                <tr>
                  <th scope="col">Zustand</th>
                  <th scope="col">Aktionen</th>
                </tr>
              </thead>
              <tbody>
                {machine.states.map((state) => (
                  <tr key={state.id}>
                    <td>
                      {stateName(machine, state.id)}
                      {state.final ? ' (Ende)' : ''}
                      <div className="muted small">{state.id}</div>
                    </td>
                    <td>
                      {state.events.map((event) => EVENT_LABELS[event] ?? event).join(', ') || '–'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <caption>Fristen</caption>
              <thead>
                <tr>
                  <th scope="col">Frist</th>
                  <th scope="col">Standard</th>
                  <th scope="col">in</th>
                </tr>
              </thead>
              <tbody>
                {machine.timers.map((timer) => (
                  <tr key={timer.name}>
                    <td title={timer.name}>{timerLabel(timer.name)}</td>
                    <td>{formatDuration(timer.defaultMs)}</td>
                    <td>{timer.states.map((id) => stateName(machine, id)).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </>
  );
}
