import { Router } from 'express';
import { callerOf, requireRole } from '../auth.js';
import type { BulkActions } from '../bulk-actions.js';
import { bulkActionBody, bulkIdParameter, bulkItemsQuery } from '../bulk-action-schemas.js';
import { notFound } from '../errors.js';
import { parseOrThrow } from '../validation.js';

/** A bulk action's id from the path; anything else cannot exist (404). */
function bulkId(raw: unknown): string {
  const parsed = bulkIdParameter.safeParse(raw);
  if (!parsed.success) throw notFound(`No bulk action ${String(raw)}`);
  return parsed.data;
}

/** Bulk actions: preview, start, follow and cancel (operators and admins). */
export function bulkActionRoutes(bulk: BulkActions): Router {
  const router = Router();
  const operators = requireRole('admin', 'operator');

  router.post('/bulk-actions/preview', operators, async (req, res) => {
    const body = parseOrThrow(bulkActionBody, req.body ?? {}, 'The bulk action');
    res.json(await bulk.preview(callerOf(req), body));
  });

  router.post('/bulk-actions', operators, async (req, res) => {
    const body = parseOrThrow(bulkActionBody, req.body ?? {}, 'The bulk action');
    const job = await bulk.create(callerOf(req), body, (req.body as { filter: unknown }).filter);
    res.status(202).location(`/api/v1/bulk-actions/${job.id}`).json(job);
  });

  router.get('/bulk-actions', operators, async (_req, res) => {
    res.json({ items: await bulk.list(50) });
  });

  router.get('/bulk-actions/:id', operators, async (req, res) => {
    const id = bulkId(req.params.id);
    const job = await bulk.get(id);
    if (!job) throw notFound(`No bulk action ${id}`);
    res.json(job);
  });

  router.get('/bulk-actions/:id/items', operators, async (req, res) => {
    const id = bulkId(req.params.id);
    const query = parseOrThrow(bulkItemsQuery, req.query, 'The query');
    res.json(await bulk.items(id, query));
  });

  router.post('/bulk-actions/:id/cancel', operators, async (req, res) => {
    res.json(await bulk.cancel(bulkId(req.params.id)));
  });

  return router;
}
