import { useState, type FormEvent } from 'react';
import { api, ApiError, storeKey, type Session } from '../api.js';

/** Log in with an operator or admin key; the key stays in this tab's session storage only. */
export function Login({ onLogin }: { onLogin: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<Session>('/session', { key: key.trim() });
      if (session.role === 'client') {
        setError(
          'Mit einem Client-Schlüssel (Praxis-Portal) ist keine Anmeldung möglich. Bitte einen Schlüssel der Sachbearbeitung verwenden.',
        );
        return;
      }
      storeKey(key.trim());
      onLogin(session);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.problem.status === 401
          ? 'Dieser API-Schlüssel ist ungültig oder gesperrt.'
          : caught instanceof Error
            ? caught.message
            : String(caught),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <h1>praxisflow – Anmeldung</h1>
      <p>
        Für die Sachbearbeitung: Anmeldung mit einem API-Schlüssel der Rolle „operator“ oder
        „admin“.
      </p>
      <form onSubmit={(event) => void submit(event)}>
        <label htmlFor="api-key">API-Schlüssel</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Prüfe …' : 'Anmelden'}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </main>
  );
}
