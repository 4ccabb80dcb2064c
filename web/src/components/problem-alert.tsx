import type { Problem } from '../api.js';
import { EVENT_LABELS, fieldLabel } from '../labels.js';

/**
 * A refusal of the API explained in the form that caused it: what kind (not allowed now,
 * invalid input, not with this key), the API's detail, each invalid field by its German name.
 */
export function ProblemAlert({
  problem,
  conflict = 'Das geht in diesem Zustand nicht.',
  pathLabel = fieldLabel,
}: {
  problem: Problem;
  /** What a 409 means where the form is. */
  conflict?: string;
  /** An invalid field's German name, from its path in the request. */
  pathLabel?: (path: string) => string;
}) {
  const kind =
    problem.status === 409
      ? conflict
      : problem.status === 422
        ? 'Die Angaben sind nicht gültig.'
        : problem.status === 403
          ? 'Dieser Schlüssel darf das nicht.'
          : 'Fehler.';
  return (
    <div role="alert" className="error">
      <p>
        <strong>{kind}</strong> {problem.detail}
      </p>
      {problem.errors && (
        <ul>
          {problem.errors.map((error) => (
            <li key={`${error.path}-${error.message}`}>
              {pathLabel(error.path)}: {error.message}
            </li>
          ))}
        </ul>
      )}
      {problem.allowedEvents && (
        <p>
          Möglich sind jetzt:{' '}
          {problem.allowedEvents.length
            ? problem.allowedEvents.map((name) => EVENT_LABELS[name] ?? name).join(', ')
            : 'keine Aktionen'}
          .
        </p>
      )}
    </div>
  );
}
