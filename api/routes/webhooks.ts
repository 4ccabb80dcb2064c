import { Router } from 'express';
import type { z } from 'zod';
import type { WebhookTargets } from '../../config/webhook-targets.js';
import type { WebhookOwner, WebhookStore } from '../../db/webhooks.js';
import type { SecretSealer } from '../../storage/sealed-secrets.js';
import { newWebhookSecret } from '../../storage/webhook-secrets.js';
import { callerOf, type Caller } from '../auth.js';
import { notFound, validationError } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import {
  deliveriesQuery,
  deliveryIdParameter,
  webhookBody,
  webhookIdParameter,
} from '../webhook-schemas.js';

export interface WebhookRouteDeps {
  readonly store: WebhookStore;
  readonly targets: WebhookTargets;
  readonly secrets: SecretSealer;
}

/** An admin key manages every subscription; any other key its own. */
const ownerOf = (caller: Caller): WebhookOwner =>
  caller.role === 'admin' ? undefined : caller.keyId;

/** An id from the path; anything else, or another key's, cannot exist (404). */
function pathId(schema: z.ZodType<string>, raw: unknown, what: string): string {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw notFound(`No ${what} ${String(raw)}`);
  return parsed.data;
}

/** Webhook subscriptions per API key, their deliveries, and a secret's rotation. */
export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = Router();

  router.post('/webhooks', async (req, res) => {
    const body = parseOrThrow(webhookBody, req.body ?? {}, 'The webhook');
    const target = await deps.targets.check(body.url);
    if (!target.ok) {
      throw validationError(`The webhook URL is refused: ${target.reason}`, [
        { path: 'url', message: target.reason },
      ]);
    }
    const secret = newWebhookSecret();
    const created = await deps.store.create({
      apiKeyId: callerOf(req).keyId,
      url: body.url,
      events: body.events,
      processTypes: body.processTypes,
      sealedSecret: deps.secrets.seal(secret),
    });
    res
      .status(201)
      .location(`/api/v1/webhooks/${created.id}`)
      .json({ ...created, secret });
  });

  router.get('/webhooks', async (req, res) => {
    res.json({ items: await deps.store.list(ownerOf(callerOf(req))) });
  });

  router.get('/webhooks/:id', async (req, res) => {
    const id = pathId(webhookIdParameter, req.params.id, 'webhook');
    const found = await deps.store.get(id, ownerOf(callerOf(req)));
    if (!found) throw notFound(`No webhook ${id}`);
    res.json(found);
  });

  router.delete('/webhooks/:id', async (req, res) => {
    const id = pathId(webhookIdParameter, req.params.id, 'webhook');
    if (!(await deps.store.remove(id, ownerOf(callerOf(req))))) throw notFound(`No webhook ${id}`);
    res.status(204).end();
  });

  router.post('/webhooks/:id/rotate-secret', async (req, res) => {
    const id = pathId(webhookIdParameter, req.params.id, 'webhook');
    const secret = newWebhookSecret();
    const rotated = await deps.store.rotate(id, ownerOf(callerOf(req)), deps.secrets.seal(secret));
    if (!rotated) throw notFound(`No webhook ${id}`);
    res.json({ ...rotated, secret });
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const id = pathId(webhookIdParameter, req.params.id, 'webhook');
    const query = parseOrThrow(deliveriesQuery, req.query, 'The query');
    if (!(await deps.store.get(id, ownerOf(callerOf(req))))) throw notFound(`No webhook ${id}`);
    res.json({ items: await deps.store.deliveries(id, query) });
  });

  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (req, res) => {
    const id = pathId(webhookIdParameter, req.params.id, 'webhook');
    const deliveryId = pathId(deliveryIdParameter, req.params.deliveryId, 'delivery');
    if (!(await deps.store.get(id, ownerOf(callerOf(req))))) throw notFound(`No webhook ${id}`);
    const delivery = await deps.store.redeliver(id, deliveryId);
    if (!delivery) throw notFound(`No delivery ${deliveryId} of webhook ${id}`);
    res.json(delivery);
  });

  return router;
}
