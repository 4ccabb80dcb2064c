import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_ORGANISATIONS } from '../../config/organisations.js';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createMailTransport, messageIdFor } from '../../activities/mailer.js';
import {
  escapeHtml,
  formatBerlinTime,
  frameEmail,
  renderEmail,
} from '../../activities/templates/layout.js';
import {
  personName,
  salutationLine,
  salutationTitle,
} from '../../activities/templates/salutation.js';

describe('salutation', () => {
  const person = { firstName: 'Jürgen', lastName: 'Weiß-Müller', title: 'Dr. med.' };

  it.each([
    ['Frau', 'Sehr geehrte Frau Dr. Weiß-Müller,'],
    ['Herr', 'Sehr geehrter Herr Dr. Weiß-Müller,'],
    ['Divers', 'Guten Tag Dr. Jürgen Weiß-Müller,'],
    [null, 'Guten Tag Dr. Jürgen Weiß-Müller,'],
    [undefined, 'Guten Tag Dr. Jürgen Weiß-Müller,'],
  ] as const)('addresses %s as a German business letter does: %j', (salutation, expected) => {
    expect(salutationLine({ ...person, salutation })).toBe(expected);
  });

  it('keeps only the grades of a title for the Anrede, and works without one', () => {
    expect(salutationTitle('Prof. Dr. rer. nat.')).toBe('Prof. Dr.');
    expect(salutationTitle('Dipl.-Med.')).toBe('');
    expect(salutationLine({ salutation: 'Frau', firstName: 'Anna', lastName: 'Müller' })).toBe(
      'Sehr geehrte Frau Müller,',
    );
  });

  it('addresses someone known by name only, and an organisation', () => {
    expect(salutationLine({ name: 'Dr. Admin' })).toBe('Guten Tag Dr. Admin,');
    expect(salutationLine({ name: 'Dr. med. Jonas Berger' })).toBe('Guten Tag Dr. Jonas Berger,');
    expect(salutationLine({ name: null })).toBe('Sehr geehrte Damen und Herren,');
    expect(salutationLine(null)).toBe('Sehr geehrte Damen und Herren,');
  });

  it('names a person with Anrede and full title in a sentence', () => {
    expect(personName({ ...person, salutation: 'Herr' })).toBe('Herr Dr. med. Jürgen Weiß-Müller');
    expect(personName({ ...person, salutation: 'Herr' }, true)).toBe(
      'Herrn Dr. med. Jürgen Weiß-Müller',
    );
    expect(personName({ ...person, title: null, salutation: 'Divers' })).toBe('Jürgen Weiß-Müller');
  });
});

describe('rendering', () => {
  const body = renderEmail({
    subject: 'Betreff <mit> "Zeichen" & Co',
    salutation: salutationLine({
      salutation: 'Frau',
      firstName: 'Alex',
      lastName: '<b>Müller</b> & Söhne',
    }),
    blocks: [
      "Absatz mit <script>alert('x')</script>",
      { link: 'https://portal.example/registrierung?token=a&b="c"', label: 'Weiter <jetzt>' },
      { code: '2748 0323' },
      { quote: 'Zeile 1\nZeile <2>' },
    ],
  });
  const profile = DEVELOPMENT_ORGANISATIONS.aok;
  const email = frameEmail(body, profile);

  it('escapes every value in the HTML part', () => {
    expect(email.html).not.toMatch(/<script>|<b>|<mit>|<jetzt>|<2>/);
    expect(email.html).toContain('Sehr geehrte Frau &lt;b&gt;Müller&lt;/b&gt; &amp; Söhne,');
    expect(email.html).toContain('Absatz mit &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(email.html).toContain(
      'href="https://portal.example/registrierung?token=a&amp;b=&quot;c&quot;"',
    );
    expect(email.html).toContain('<title>Betreff &lt;mit&gt; &quot;Zeichen&quot; &amp; Co</title>');
    expect(email.html).toContain('Zeile 1<br>Zeile &lt;2&gt;');
    expect(email.html).toContain('<html lang="de">');
  });

  it('writes the same content as plain text, unescaped, in the organisation’s frame', () => {
    expect(email.text).toBe(
      [
        'Sehr geehrte Frau <b>Müller</b> & Söhne,',
        "Absatz mit <script>alert('x')</script>",
        'Weiter <jetzt>:\nhttps://portal.example/registrierung?token=a&b="c"',
        '    2748 0323',
        '    Zeile 1\n    Zeile <2>',
        'Mit freundlichen Grüßen\nIhr Team von „Mein AOK Gesundheitspartnerservice“',
        `-- \n${profile.support.join('\n')}`,
        profile.legal.join('\n'),
        'Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.',
      ].join('\n\n'),
    );
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    );
  });

  it('gives times in German time, summer and winter', () => {
    expect(formatBerlinTime(Date.parse('2026-01-15T09:30:00Z'))).toBe('15.01.2026, 10:30 Uhr');
    expect(formatBerlinTime(Date.parse('2026-07-15T09:30:00Z'))).toBe('15.07.2026, 11:30 Uhr');
  });
});

describe('Message-ID', () => {
  it('is made from the idempotency key, the same on every retry', () => {
    expect(messageIdFor('invitation-4711:3:1')).toBe('<invitation-4711=3A3=3A1@praxisflow>');
    expect(messageIdFor('invitation-4711:3:1')).toBe(messageIdFor('invitation-4711:3:1'));
  });

  it('carries only characters safe in a Message-ID, and keeps distinct keys distinct', () => {
    const keys = ['a b<c>@d"e', 'ä.ö/ü', 'a:b', 'a=3Ab', 'a.b', 'a_b'];
    const ids = keys.map(messageIdFor);
    for (const id of ids) expect(id).toMatch(/^<[A-Za-z0-9_=-]+@praxisflow>$/);
    expect(new Set(ids).size).toBe(keys.length);
  });

  it('hashes a key too long for a header line', () => {
    expect(messageIdFor('x'.repeat(500))).toMatch(/^<[0-9a-f]{64}@praxisflow>$/);
  });
});

describe('mail transport', () => {
  it('is an SMTP transport for the given URL', () => {
    const transport = createMailTransport('smtp://mail.example:2525');
    expect(transport.options).toMatchObject({ host: 'mail.example', port: 2525 });
    transport.close();
  });

  it('when the URL says nothing about pooling, then connections are kept and reused; pool=false opens one per message', () => {
    const pooled = createMailTransport('smtps://user:secret@mail.example:465');
    const single = createMailTransport('smtp://mail.example:2525/?pool=false');

    expect(pooled.transporter.constructor.name).toBe('SMTPPool');
    expect(pooled.options).toMatchObject({ host: 'mail.example', port: 465, secure: true });
    expect(single.transporter.constructor.name).toBe('SMTPTransport');
    pooled.close();
    single.close();
  });

  it('when the relay refuses connections for more sends than the pool has connections, then mail goes out again once it is back', async () => {
    const relay = async (port = 0) => {
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, _session, done) {
          stream.resume();
          stream.on('end', () => done());
        },
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return { server, port: (server.server.address() as AddressInfo).port };
    };
    const first = await relay();
    await new Promise<void>((resolve) => first.server.close(() => resolve()));
    const transport = createMailTransport(`smtp://127.0.0.1:${first.port}`);
    const send = () =>
      transport.sendMail({ from: 'a@praxis.example', to: 'b@praxis.example', text: 'x' });

    for (let i = 0; i < 7; i += 1) await expect(send()).rejects.toThrow(/ECONNREFUSED/);
    const back = await relay(first.port);
    const sent = await send();

    expect(sent.response).toMatch(/^250/);
    transport.close();
    await new Promise<void>((resolve) => back.server.close(() => resolve()));
  });
});
