import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { type ProcessView } from '../../workflows/protocol.js';
import { viewOf } from '../process-handles.js';

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const PAGE_HEAD = (title: string) => `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:1rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}</style></head>`;

/** A registration page: the title, then paragraphs (each HTML-escaped, a `<pre>` kept as is). */
const page = (portal: string, title: string, body: readonly string[]): string =>
  `${PAGE_HEAD(escape(title))}
<body><p>${escape(portal)}</p><h1>${escape(title)}</h1>
${body.join('\n')}
</body></html>`;

const paragraph = (text: string) => `<p>${escape(text)}</p>`;

/** What a link of a registration that has ended says, by the state it ended in. */
const ENDED: Readonly<Record<string, { title: string; text: string }>> = {
  expired: {
    title: 'Ihre Einladung ist abgelaufen',
    text:
      'Die Zeit für die Registrierung ist verstrichen. Bitte wenden Sie sich an die Person, die ' +
      'Sie eingeladen hat, und lassen Sie sich erneut einladen.',
  },
  revoked: {
    title: 'Diese Einladung wurde widerrufen',
    text:
      'Über diesen Link ist keine Registrierung mehr möglich. Bei Fragen wenden Sie sich bitte ' +
      'an die Person, die Sie eingeladen hat.',
  },
  rejected: {
    title: 'Ihre Registrierung wurde abgelehnt',
    text: 'Die Begründung haben Sie per E-Mail erhalten. Über diesen Link geht es nicht weiter.',
  },
  locked: {
    title: 'Ihre Registrierung ist gesperrt',
    text:
      'Der Aktivierungscode wurde zu oft falsch eingegeben. Bitte lassen Sie sich von der ' +
      'Person, die Sie eingeladen hat, erneut einladen.',
  },
  completed: {
    title: 'Ihre Registrierung ist bereits abgeschlossen',
    text: 'Sie melden sich mit Ihrer E-Mail-Adresse und der AOK 2-Faktor App an.',
  },
  cancelled: {
    title: 'Diese Registrierung wurde beendet',
    text:
      'Über diesen Link ist keine Registrierung mehr möglich. Bei Fragen wenden Sie sich bitte ' +
      'an die Person, die Sie eingeladen hat.',
  },
};

const ENDED_LINK = /^invitation-[A-Za-z0-9._-]{1,200}$/;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface RegistrationLinkDeps {
  readonly client: Client;
  /** The AOK profile's portal name: „Mein AOK Gesundheitspartnerservice“. */
  readonly portal: string;
}

/**
 * Where the link of an invitation email („Registrierung fortsetzen“) lands when
 * PUBLIC_BASE_URL points at the API (as with `npm start`). A real deployment points it at the
 * portal, which sends the token to the process and shows the step the answer names. This page
 * shows the same without changing anything: the step the registration is at now, or — once it
 * has ended — a German page saying why the link leads nowhere any more. Never an old step.
 */
export function registrationLinkRoutes(deps: RegistrationLinkDeps): Router {
  const router = Router();
  router.get('/registrierung', async (req, res) => {
    const processId = typeof req.query.prozess === 'string' ? req.query.prozess : '';
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const send = (status: number, html: string) =>
      res
        .status(status)
        .set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
        .type('html')
        .send(html);
    if (!ENDED_LINK.test(processId) || !TOKEN.test(token)) {
      send(
        400,
        page(deps.portal, 'Dieser Link ist unvollständig', [
          paragraph(
            'Bitte öffnen Sie den Link „Registrierung fortsetzen“ aus Ihrer E-Mail vollständig; ' +
              'manche E-Mail-Programme brechen lange Links um.',
          ),
        ]),
      );
      return;
    }
    let view: ProcessView;
    try {
      view = await viewOf(deps.client.workflow.getHandle(processId));
    } catch {
      send(
        404,
        page(deps.portal, 'Diese Registrierung gibt es nicht', [
          paragraph(
            'Zu diesem Link gehört keine Registrierung. Bitte verwenden Sie den Link aus Ihrer ' +
              'neuesten Einladungs-E-Mail.',
          ),
        ]),
      );
      return;
    }
    const ended =
      view.status === 'cancelled'
        ? ENDED.cancelled
        : view.status === 'active' && view.state !== 'completed'
          ? undefined
          : ENDED[view.state];
    if (ended) {
      send(200, page(deps.portal, ended.title, [paragraph(ended.text)]));
      return;
    }
    const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    send(
      200,
      page(deps.portal, 'Registrierung fortsetzen', [
        paragraph(`Ihre Registrierung steht bei: ${view.stateLabel}.`),
        paragraph(
          'Das Portal setzt die Registrierung bei diesem Schritt fort, indem es den Token an den ' +
            'Vorgang sendet; die Antwort nennt den Schritt (in der Geräteregistrierung mit dem ' +
            'Aktivierungscode für die AOK 2-Faktor App):',
        ),
        `<pre>curl -X POST ${escape(origin)}/api/v1/processes/${escape(encodeURIComponent(processId))}/events \\
  -H 'Authorization: Bearer &lt;API-Schlüssel&gt;' -H 'Content-Type: application/json' \\
  -d '{"type": "REGISTRATION_STARTED", "token": "${escape(token)}"}'</pre>`,
        paragraph('Der Link gilt bis zum Ende der Registrierung; eine neue Einladung ersetzt ihn.'),
      ]),
    );
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
