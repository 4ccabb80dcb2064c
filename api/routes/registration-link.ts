import { Router } from 'express';

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * Where the registration link of an invitation email lands when PUBLIC_BASE_URL points at
 * the API (as with `npm start`). A real deployment points it at the portal, which sends the
 * token to the process; this page says so and shows the request the portal makes.
 */
export function registrationLinkRoutes(): Router {
  const router = Router();
  router.get('/registrierung', (req, res) => {
    const processId = typeof req.query.prozess === 'string' ? req.query.prozess : '';
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    res
      .status(processId && token ? 200 : 400)
      .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .type('html').send(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Registrierung</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:1rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}</style></head>
<body><h1>Registrierung im Gesundheitspartnerservice</h1>
${
  processId && token
    ? `<p>Dieser Einladungslink gehört zum Vorgang <code>${escape(processId)}</code>.
Das Portal startet die Registrierung, indem es den Token an den Vorgang sendet:</p>
<pre>curl -X POST ${escape(`${req.protocol}://${req.get('host') ?? 'localhost'}`)}/api/v1/processes/${escape(encodeURIComponent(processId))}/events \\
  -H 'Authorization: Bearer &lt;API-Schlüssel&gt;' -H 'Content-Type: application/json' \\
  -d '{"type": "REGISTRATION_STARTED", "token": "${escape(token)}"}'</pre>
<p>Der Link ist nur einmal verwendbar.</p>`
    : '<p>Dieser Link ist unvollständig: Vorgang oder Token fehlen.</p>'
}
</body></html>`);
  });
  return router;
}
