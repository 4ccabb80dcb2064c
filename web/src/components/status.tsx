import type { ReactNode } from 'react';
import { STATUS_LABELS } from '../format.js';

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
