import { createHash, randomBytes } from 'node:crypto';
import express, {
  Router,
  type CookieOptions,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Pool } from '../../db/pool.js';
import type { Caller, Role } from '../auth.js';
import { AppError, unavailable } from '../errors.js';

/**
 * Codec sessions by cookie, for the Temporal dev server's Web UI: it cannot send
 * `Authorization` (no OIDC login), but it sends cookies when the operator ticks "Include
 * cross-origin credentials", and `localhost:8233` and `localhost:3000` are one site, so a
 * SameSite=Strict cookie of the API comes along.
 *
 * `GET /codec/session` is a form (no script); its API key is checked by the API's own
 * `authenticate` middleware, exactly as a Bearer key (bootstrap admin key, revocation, cache,
 * 503 when Postgres is down), so the codec needs no second way to look keys up. An admin or
 * operator key gets the cookie `pf_codec`: 32 random bytes, HttpOnly, SameSite=Strict,
 * Path=/codec, 8 h. The key itself is never stored or echoed.
 *
 * Sessions live in Postgres (`codec_sessions`), keyed by SHA-256 of their id, so every API
 * process knows them and they outlive a restart. Each codec request looks its session up
 * together with its key: a revoked key's sessions end at once on every process (the key's own
 * Bearer use ends within the 10 s of the key cache). The bootstrap admin key has no row: its
 * sessions hold while the API runs with that same key. Production logs in with OIDC and the
 * Web UI's "pass access token", i.e. the Bearer path.
 */
export interface CodecSessionDeps {
  /** The API's `authenticate(...)` middleware. */
  readonly authenticate: RequestHandler;
  /** Is this `Origin` one of the Temporal Web UI's? */
  readonly isAllowedOrigin: (origin: string) => boolean;
  /** Where the sessions are kept (and the API keys they belong to). */
  readonly pool: Pool;
  /** The key id of the bootstrap admin key, whose sessions have no `api_keys` row to check. */
  readonly bootstrapKeyId?: string;
}

interface Session {
  readonly keyId: string;
  readonly role: Role;
  readonly expiresAt: number;
}

const COOKIE = 'pf_codec';
// codecRoutes is mounted at /codec; cookie paths are case-sensitive, so they are fixed here.
const COOKIE_PATH = '/codec';
const PAGE_PATH = `${COOKIE_PATH}/session`;
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const SESSION_ROLES: readonly Role[] = ['admin', 'operator'];

/** No script, nothing loaded: inline styles and a form posting to this origin. */
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const hashOf = (sessionId: string): string =>
  createHash('sha256').update(sessionId).digest('base64url');

/** Sessions by hash of their id, in Postgres; a session of a revoked key is none. */
class SessionStore {
  constructor(
    private readonly pool: Pool,
    private readonly bootstrapKeyId: string | undefined,
  ) {}

  async create(caller: Caller): Promise<{ readonly id: string; readonly session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const session = {
      keyId: caller.keyId,
      role: caller.role,
      expiresAt: Date.now() + SESSION_TTL_MS,
    };
    await this.pool.query('delete from codec_sessions where expires_at < now()');
    await this.pool.query(
      `insert into codec_sessions (id_hash, key_id, role, expires_at)
       values ($1, $2, $3, $4)`,
      [hashOf(id), session.keyId, session.role, new Date(session.expiresAt)],
    );
    return { id, session };
  }

  async find(id: string): Promise<Session | undefined> {
    if (!SESSION_ID.test(id)) return undefined;
    const { rows } = await this.pool.query<{ key_id: string; role: Role; expires_at: Date }>(
      `select s.key_id, s.role, s.expires_at from codec_sessions s
         left join api_keys k on k.id = s.key_id
        where s.id_hash = $1 and s.expires_at > now()
          and (k.id is not null and k.revoked_at is null or k.id is null and s.key_id = $2)`,
      [hashOf(id), this.bootstrapKeyId ?? null],
    );
    const row = rows[0];
    return row && { keyId: row.key_id, role: row.role, expiresAt: row.expires_at.getTime() };
  }

  async delete(id: string): Promise<void> {
    await this.pool.query('delete from codec_sessions where id_hash = $1', [hashOf(id)]);
  }
}

/** The values of cookie `name` in a `Cookie` header (one per path it was set for). */
function cookieValues(header: string | undefined, name: string): string[] {
  return (header ?? '').split(';').flatMap((pair) => {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== name) return [];
    return [pair.slice(separator + 1).trim()];
  });
}

const sessionIdsOf = (req: Request): string[] => cookieValues(req.get('cookie'), COOKIE);

const cookieOptions = (req: Request): CookieOptions => ({
  httpOnly: true,
  sameSite: 'strict',
  path: COOKIE_PATH,
  secure: req.secure,
});

/**
 * Runs `authenticate` on a copy of the request that carries the key as Bearer: the real
 * request keeps its headers and gets no caller. Undefined for an unknown or revoked key.
 */
function callerWithKey(
  authenticate: RequestHandler,
  req: Request,
  res: Response,
  key: string,
): Promise<Caller | undefined> {
  const probe = Object.create(req, {
    headers: { value: { ...req.headers, authorization: `Bearer ${key}` } },
  }) as Request;
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      if (error === undefined) resolve(probe.caller);
      else if (error instanceof AppError && error.status === 401) resolve(undefined);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    Promise.resolve(authenticate(probe, res, done)).catch(reject);
  });
}

/**
 * The login and logout forms are posted from this page only. Not by `Origin`: the page's
 * `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on its form posts. Every
 * current browser sends `Sec-Fetch-Site`; another page of the same site (any localhost port)
 * is `same-site` and is refused.
 */
function fromThisPage(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  return site === undefined || site === 'same-origin' || site === 'none';
}

const MESSAGES = {
  noKey: 'Bitte einen API-Schlüssel eingeben. / Please enter an API key.',
  unknownKey:
    'Dieser API-Schlüssel ist unbekannt oder widerrufen. / This API key is unknown or revoked.',
  clientKey:
    'Ein Client-Schlüssel darf keine Payloads entschlüsseln: bitte einen Admin- oder Operator-Schlüssel verwenden. / A client key may not decrypt payloads: use an admin or operator key.',
  otherPage: 'Dieses Formular gilt nur auf dieser Seite. / This form works only on this page.',
} as const;

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** `12.05.2025, 22:14 MESZ`: the API's time zone, named. */
const TIME_FORMAT = new Intl.DateTimeFormat('de-DE', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:38rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.en{color:#5a5a5a}.status{padding:.5rem .75rem;border-left:4px solid #888;background:#f4f4f4}
.active{border-color:#2e7d32}.message{padding:.5rem .75rem;border-left:4px solid #c62828;background:#fdecea}
label{display:block;margin:1rem 0 .25rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem}
button{font:inherit;margin-top:.75rem;padding:.4rem 1rem}`;

function renderPage(session: Session | undefined, message: string | undefined): string {
  const status = session
    ? `<p class="status active">Sitzung aktiv bis ${escapeHtml(TIME_FORMAT.format(session.expiresAt))} (${escapeHtml(session.role)}, ${escapeHtml(session.keyId)}). <span class="en" lang="en">Session active until then.</span></p>
<form method="post" action="${PAGE_PATH}/logout"><button type="submit">Abmelden / Log out</button></form>`
    : '<p class="status">Keine Sitzung aktiv. <span class="en" lang="en">No active session.</span></p>';
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>praxisflow – Codec-Sitzung / codec session</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Codec-Sitzung <span class="en" lang="en">/ codec session</span></h1>
<p>Mit einer Codec-Sitzung zeigt die Temporal Web UI die Payloads der Prozesse entschlüsselt an. Setzen Sie dazu in den Codec-Einstellungen der UI den Haken „Include cross-origin credentials“.</p>
<p class="en" lang="en">With a codec session, the Temporal Web UI shows the processes' payloads decrypted. For that, tick “Include cross-origin credentials” in the UI's codec settings.</p>
${message ? `<p class="message" role="alert">${escapeHtml(message)}</p>\n` : ''}${status}
<form method="post" action="${PAGE_PATH}">
<label for="key">API-Schlüssel (Admin oder Operator) <span class="en" lang="en">/ API key (admin or operator)</span></label>
<input id="key" name="key" type="password" required autocomplete="off" spellcheck="false">
<button type="submit">Sitzung starten / Start session</button>
</form>
</main>
</body>
</html>
`;
}

/**
 * The session page (`routes`, mount at `/codec/session`) and the codec's authentication
 * (`authenticate`): `Authorization: Bearer` as ever, or else a `pf_codec` session cookie.
 *
 * A cookie counts only with an `Origin` of the Web UI (CSRF guard): SameSite=Strict keeps the
 * cookie from other sites, but every other localhost port is the same site. A request with the
 * cookie and without `Origin` is refused too: browsers always send `Origin` on cross-origin
 * fetches and on POSTs, and no page of this origin calls the codec; the CLI uses Bearer.
 */
export function codecSessions(deps: CodecSessionDeps): {
  readonly routes: Router;
  readonly authenticate: RequestHandler;
} {
  const store = new SessionStore(deps.pool, deps.bootstrapKeyId);

  const currentSession = async (
    req: Request,
  ): Promise<{ id: string; session: Session } | undefined> => {
    try {
      for (const id of sessionIdsOf(req)) {
        const session = await store.find(id);
        if (session) return { id, session };
      }
    } catch (error) {
      console.error('api: codec session look-up failed:', (error as Error).message);
      throw unavailable('The codec session store (Postgres)');
    }
    return undefined;
  };

  const showPage = async (
    req: Request,
    res: Response,
    status: number,
    message?: string,
  ): Promise<void> => {
    const current = await currentSession(req);
    res
      .status(status)
      .type('html')
      .set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': PAGE_CSP })
      .send(renderPage(current?.session, message));
  };

  const routes = Router();
  routes.get('/', (req, res) => showPage(req, res, 200));
  routes.post('/', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    if (!fromThisPage(req)) return showPage(req, res, 403, MESSAGES.otherPage);
    const key: unknown = (req.body as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string' || key.trim() === '')
      return showPage(req, res, 422, MESSAGES.noKey);
    const caller = await callerWithKey(deps.authenticate, req, res, key.trim());
    if (!caller) return showPage(req, res, 401, MESSAGES.unknownKey);
    if (!SESSION_ROLES.includes(caller.role)) return showPage(req, res, 403, MESSAGES.clientKey);
    // A new login replaces the session this browser had.
    for (const id of sessionIdsOf(req)) await store.delete(id);
    const { id } = await store.create(caller);
    res
      .cookie(COOKIE, id, { ...cookieOptions(req), maxAge: SESSION_TTL_MS })
      .redirect(303, PAGE_PATH);
  });
  routes.post('/logout', async (req, res) => {
    if (!fromThisPage(req)) return showPage(req, res, 403, MESSAGES.otherPage);
    for (const id of sessionIdsOf(req)) await store.delete(id);
    res.clearCookie(COOKIE, cookieOptions(req)).redirect(303, PAGE_PATH);
  });

  const authenticate: RequestHandler = async (req, res, next) => {
    if (req.get('authorization') !== undefined || sessionIdsOf(req).length === 0)
      return deps.authenticate(req, res, next);
    const origin = req.get('origin');
    if (origin === undefined || !deps.isAllowedOrigin(origin)) {
      return next(
        new AppError(
          'forbidden',
          403,
          'A codec session cookie is accepted only from an allowed Temporal Web UI origin',
        ),
      );
    }
    let current: Awaited<ReturnType<typeof currentSession>>;
    try {
      current = await currentSession(req);
    } catch (error) {
      return next(error);
    }
    if (!current) {
      return next(
        new AppError(
          'unauthorized',
          401,
          `The codec session has ended: log in again at ${PAGE_PATH}, or send Authorization: Bearer <key>`,
        ),
      );
    }
    req.caller = { keyId: current.session.keyId, role: current.session.role, practices: [] };
    next();
  };

  return { routes, authenticate };
}
