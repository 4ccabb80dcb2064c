import type { ReactNode } from 'react';
import type { Sla } from '../api.js';
import { formatDate, formatTime, STATUS_LABELS } from '../format.js';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

/** Loading and error states, visible and announced. */
export function LoadState({
  loading,
  error,
  children,
}: {
  loading: boolean;
  error: string | null;
  children?: ReactNode;
}) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          Fehler beim Laden: {error}
        </p>
      )}
      {loading && (
        <p className="loading" aria-live="polite">
          Lädt …
        </p>
      )}
      {children}
    </>
  );
}

/** „überfällig seit 03.12.2026“ while a process waits past its state's due time. */
export function OverdueBadge({ sla }: { sla: Sla | null | undefined }) {
  if (!sla?.overdue || !sla.overdueSince) return null;
  return (
    <span
      className="badge badge-overdue"
      data-testid="overdue"
      title={`Frist des Zustands: ${formatTime(sla.dueAt)}`}
    >
      überfällig seit {formatDate(sla.overdueSince)}
    </span>
  );
}
