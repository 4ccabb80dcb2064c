/**
 * What the operators' dashboard reads besides the processes: the session, the overview, a
 * process's messages.
 */
import { z } from 'zod';
import { EXAMPLE_ID } from './openapi/examples.js';
import { processStatus } from './schemas.js';

export const sessionInfo = z
  .object({
    keyId: z.string().meta({ description: 'The id of the key (never the key).' }),
    role: z.enum(['admin', 'operator', 'client']),
    practices: z.array(z.string()).meta({ description: 'For a client key: its practices.' }),
    namespace: z.string().meta({ description: 'The Temporal namespace of the processes.' }),
    links: z
      .object({ temporalUi: z.string().optional(), inbox: z.string().optional() })
      .meta({ description: 'The Temporal Web UI and the development inbox, when configured.' }),
  })
  .meta({
    id: 'Session',
    description: 'Who this key is; the dashboard logs in with it (client keys cannot).',
    examples: [
      {
        keyId: 'key_7Hq2',
        role: 'operator',
        practices: [],
        namespace: 'default',
        links: { temporalUi: 'http://localhost:8233', inbox: 'http://localhost:1080' },
      },
    ],
  });

export const overview = z
  .object({
    counts: z.array(
      z.object({
        type: z.string(),
        state: z.string(),
        stateLabel: z.string(),
        status: processStatus,
        count: z.int(),
        overdue: z.int().meta({ description: 'Of those, overdue in that state.' }),
      }),
    ),
    overdue: z.int().meta({ description: "Active processes past their state's due time." }),
    dueWithin24h: z.int().meta({ description: 'Active processes with a timer due in 24 h.' }),
    dueWithin7d: z.int().meta({ description: 'Active processes with a timer due in 7 days.' }),
    incidents: z.int().meta({ description: 'Processes with a failed notification.' }),
    recent: z.array(
      z.object({
        processId: z.string(),
        step: z.int(),
        event: z.string(),
        actor: z.string(),
        toLabel: z.string(),
        at: z.iso.datetime(),
        about: z
          .string()
          .nullable()
          .meta({ description: 'Whom the process is about (person or practice), if known.' }),
      }),
    ),
  })
  .meta({
    id: 'Overview',
    description: 'Processes by type and state, what is due soon, incidents, the latest steps.',
    examples: [
      {
        counts: [
          {
            type: 'invitation',
            state: 'registration.invited',
            stateLabel: 'Eingeladen',
            status: 'active',
            count: 12,
            overdue: 0,
          },
          {
            type: 'invitation',
            state: 'requested',
            stateLabel: 'Beantragt',
            status: 'active',
            count: 4,
            overdue: 1,
          },
        ],
        overdue: 1,
        dueWithin24h: 2,
        dueWithin7d: 5,
        incidents: 0,
        recent: [
          {
            processId: EXAMPLE_ID,
            step: 3,
            event: 'REGISTRATION_APPROVED',
            actor: 'key_7Hq2',
            toLabel: 'Erfolgreich abgeschlossen',
            at: '2026-12-01T09:14:03.000Z',
            about: 'Frau Erika Mustermann <erika.mustermann@praxis.example>',
          },
        ],
      },
    ],
  });

export const processMessages = z
  .object({
    processId: z.string(),
    messages: z.array(
      z.object({
        step: z.int(),
        channel: z.enum(['email', 'sms', 'fax', 'letter']),
        recipient: z.string().meta({ description: 'As operators may see it (phones masked).' }),
        subject: z.string(),
        status: z.enum(['sending', 'sent', 'failed']),
        attempts: z.int(),
        lastError: z.string().nullable(),
        createdAt: z.iso.datetime(),
        sentAt: z.iso.datetime().nullable(),
      }),
    ),
  })
  .meta({
    id: 'ProcessMessages',
    description: 'The messages a process sent or tried to send (the outbox: no bodies, no codes).',
    examples: [
      {
        processId: EXAMPLE_ID,
        messages: [
          {
            step: 1,
            channel: 'email',
            recipient: 'erika.mustermann@praxis.example',
            subject: 'Einladung zur Registrierung im Gesundheitspartnerservice',
            status: 'sent',
            attempts: 1,
            lastError: null,
            createdAt: '2026-12-01T09:00:01.000Z',
            sentAt: '2026-12-01T09:00:02.000Z',
          },
        ],
      },
    ],
  });
