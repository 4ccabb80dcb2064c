/**
 * A webhook receiver that verifies each delivery's Standard Webhooks signature before it trusts
 * the body: `WEBHOOK_SECRET=whsec_… PORT=4000 npx tsx examples/webhook-receiver.ts`.
 */
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith('whsec_')) throw new Error('Set WEBHOOK_SECRET to the whsec_… secret');
const webhook = new Webhook(secret);
/** Event ids already handled: a delivery may come more than once (at least once). */
const seen = new Set<string>();

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    try {
      // Checks the signature (any of them, during a rotation) and the timestamp (±5 min).
      const event = webhook.verify(body, req.headers as Record<string, string>) as {
        id: string;
        type: string;
        data: { processId: string; to: string; toLabel: string };
      };
      if (!seen.has(event.id)) {
        seen.add(event.id);
        console.log(`${event.type} ${event.data.processId}: ${event.data.toLabel}`);
      }
      res.writeHead(204).end();
    } catch (error) {
      res.writeHead(error instanceof WebhookVerificationError ? 400 : 500).end();
    }
  });
});

server.listen(Number(process.env.PORT ?? 4000), () => console.log('listening for webhooks'));
