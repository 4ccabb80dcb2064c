import { describe, expect, it } from 'vitest';
import { createMailTransport, messageIdFor } from '../../activities/mailer.js';
import {
  escapeHtml,
  formatBerlinTime,
  greeting,
  personName,
  renderEmail,
} from '../../activities/templates/layout.js';
import type { Invitee } from '../../machines/invitation.schema.js';

const person = (salutation: Invitee['salutation']): Invitee => ({
  salutation,
  firstName: 'Alex',
  lastName: 'Müller',
  email: 'alex@praxis.example',
});

describe('greeting', () => {
  it.each([
    ['Frau', 'Sehr geehrte Frau Müller,'],
    ['Herr', 'Sehr geehrter Herr Müller,'],
    ['Divers', 'Guten Tag Alex Müller,'],
    [null, 'Guten Tag Alex Müller,'],
  ] as const)('addresses %s as %j', (salutation, expected) => {
    expect(greeting(person(salutation))).toBe(expected);
  });

  it('addresses the inviting admin by name, or neutrally without one', () => {
    expect(greeting({ name: 'Dr. Admin', email: 'a@praxis.example' })).toBe('Guten Tag Dr. Admin,');
    expect(greeting({ name: null, email: 'a@praxis.example' })).toBe('Guten Tag,');
  });

  it('names the invitee with salutation where there is one', () => {
    expect(personName(person('Frau'))).toBe('Frau Alex Müller');
    expect(personName(person('Divers'))).toBe('Alex Müller');
  });
});

describe('rendering', () => {
  const email = renderEmail({
    subject: 'Betreff <mit> "Zeichen" & Co',
    to: { ...person('Frau'), lastName: '<b>Müller</b> & Söhne' },
    blocks: [
      "Absatz mit <script>alert('x')</script>",
      { link: 'https://portal.example/registrierung?token=a&b="c"', label: 'Weiter <jetzt>' },
      { code: '2748 0323' },
      { quote: 'Zeile 1\nZeile <2>' },
    ],
  });

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

  it('writes the same content as plain text, unescaped', () => {
    expect(email.text).toBe(
      [
        'Sehr geehrte Frau <b>Müller</b> & Söhne,',
        "Absatz mit <script>alert('x')</script>",
        'Weiter <jetzt>:\nhttps://portal.example/registrierung?token=a&b="c"',
        '    2748 0323',
        '    Zeile 1\n    Zeile <2>',
        'Mit freundlichen Grüßen\nIhr Gesundheitspartnerservice',
        '-- \nDiese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.',
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
});
