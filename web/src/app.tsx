import { useEffect, useState } from 'react';
import { api, ApiError, forgetKey, storedKey, type Session } from './api.js';
import { BulkActionPage } from './pages/bulk-action-page.js';
import { BulkActionsPage } from './pages/bulk-actions.js';
import { Login } from './pages/login.js';
import { MachinesPage } from './pages/machines.js';
import { OverviewPage } from './pages/overview.js';
import { ProcessList } from './pages/process-list.js';
import { ProcessPage } from './pages/process-page.js';
import { Link, navigate, useLocation } from './router.js';

/** The shell: login gate, navigation, and the page the URL names. */
export function App() {
  const { path, query } = useLocation();
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);

  useEffect(() => {
    if (!storedKey()) return;
    api<Session>('/session')
      .then((found) => {
        if (found.role === 'client') throw new ApiError({ status: 403, detail: 'client' });
        setSession(found);
      })
      .catch(() => forgetKey())
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p className="loading">Anmeldung wird geprüft …</p>;
  if (!session) {
    return (
      <Login
        onLogin={(found) => {
          setSession(found);
          if (path === '/anmelden') navigate('/', true);
        }}
      />
    );
  }

  const logout = () => {
    forgetKey();
    setSession(null);
    navigate('/anmelden');
  };
  const processMatch = /^\/prozesse\/(.+)$/.exec(path);
  const bulkMatch = /^\/massenaktionen\/(.+)$/.exec(path);
  let page;
  if (processMatch)
    page = <ProcessPage id={decodeURIComponent(processMatch[1]!)} session={session} />;
  else if (path === '/prozesse') page = <ProcessList query={query} />;
  else if (bulkMatch) page = <BulkActionPage id={decodeURIComponent(bulkMatch[1]!)} />;
  else if (path === '/massenaktionen') page = <BulkActionsPage />;
  else if (path === '/maschinen') page = <MachinesPage />;
  else page = <OverviewPage />;

  return (
    <>
      <header className="top">
        <strong className="brand">praxisflow</strong>
        <nav aria-label="Hauptnavigation">
          <Link to="/" aria-current={path === '/' ? 'page' : undefined}>
            Übersicht
          </Link>
          <Link to="/prozesse" aria-current={path.startsWith('/prozesse') ? 'page' : undefined}>
            Vorgänge
          </Link>
          <Link
            to="/massenaktionen"
            aria-current={path.startsWith('/massenaktionen') ? 'page' : undefined}
          >
            Massenaktionen
          </Link>
          <Link to="/maschinen" aria-current={path === '/maschinen' ? 'page' : undefined}>
            Prozessarten
          </Link>
        </nav>
        <span className="who">
          {session.role === 'admin' ? 'Administration' : 'Sachbearbeitung'} ({session.keyId})
        </span>
        <button type="button" onClick={logout}>
          Abmelden
        </button>
      </header>
      <main>{page}</main>
    </>
  );
}
