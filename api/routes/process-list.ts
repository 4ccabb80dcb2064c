import { Router } from 'express';
import { callerOf, mayActForPractice, practiceScope } from '../auth.js';
import { notFound } from '../errors.js';
import { processId } from '../process-handles.js';
import type { ReadModel } from '../read-model.js';
import { listQuery } from '../schemas.js';
import { parseOrThrow } from '../validation.js';

/** Reads from the Postgres read model: the list with its filters, and the audit trail. */
export function processListRoutes(readModel: ReadModel): Router {
  const router = Router();

  router.get('/processes', async (req, res) => {
    const filter = parseOrThrow(listQuery, req.query, 'The query');
    res.json(await readModel.list(filter, practiceScope(callerOf(req))));
  });

  router.get('/processes/:id/history', async (req, res) => {
    const id = processId(req.params.id);
    const known = await readModel.practiceOf(id);
    if (!known || !mayActForPractice(callerOf(req), known.practiceId)) {
      throw notFound(`No process ${id}`);
    }
    res.json({ processId: id, entries: (await readModel.history(id)) ?? [] });
  });

  return router;
}
