import { Router } from 'express';

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const PAGE_HEAD = (title: string) => `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:1rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}</style></head>`;

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
      .type('html').send(`${PAGE_HEAD('Registrierung')}
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

  // The renewal reminder of a card links here ("Folgekarte beantragen"); the portal's page
  // would send FOLLOW_UP_REQUESTED to the card's process, which starts the prefilled application.
  router.get('/folgeantrag', (req, res) => {
    const processId = typeof req.query.prozess === 'string' ? req.query.prozess : '';
    const valid = /^card-[A-Za-z0-9._-]{1,200}$/.test(processId);
    res
      .status(valid ? 200 : 400)
      .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .type('html').send(`${PAGE_HEAD('Folgeantrag')}
<body><h1>Folgekarte beantragen</h1>
${
  valid
    ? `<p>Dieser Link gehört zur Karte im Vorgang <code>${escape(processId)}</code>.
Das Portal stellt den Folgeantrag – vorausgefüllt mit den Angaben der bisherigen Karte –, indem es
dem Vorgang dieses Ereignis sendet:</p>
<pre>curl -X POST ${escape(`${req.protocol}://${req.get('host') ?? 'localhost'}`)}/api/v1/processes/${escape(encodeURIComponent(processId))}/events \\
  -H 'Authorization: Bearer &lt;API-Schlüssel&gt;' -H 'Content-Type: application/json' \\
  -d '{"type": "FOLLOW_UP_REQUESTED"}'</pre>
<p>Der Folgeantrag wird nur einmal gestellt; die Antwort nennt seine Antragsnummer.</p>`
    : '<p>Dieser Link ist unvollständig: Der Vorgang der Karte fehlt.</p>'
}
</body></html>`);
  });
  return router;
}
