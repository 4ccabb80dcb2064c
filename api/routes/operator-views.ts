import { Router } from 'express';
import { callerOf, mayActForPractice, practiceScope, requireRole } from '../auth.js';
import { notFound } from '../errors.js';
import { processId } from '../process-handles.js';
import type { ReadModel } from '../read-model.js';

export interface OperatorLinks {
  /** The Temporal Web UI, e.g. `http://localhost:8233`. */
  readonly temporalUi?: string;
  /** The development inbox (mail catcher), e.g. `http://localhost:1080`. */
  readonly inbox?: string;
}

/**
 * What the operators' dashboard reads besides the process routes: who the key is (and where
 * the Temporal UI and the inbox are), the overview, and each process's messages.
 */
export function operatorViewRoutes(deps: {
  readonly readModel: ReadModel;
  readonly namespace: string;
  readonly links?: OperatorLinks;
}): Router {
  const router = Router();

  router.get('/session', (req, res) => {
    const caller = callerOf(req);
    res.json({
      keyId: caller.keyId,
      role: caller.role,
      practices: caller.practices,
      namespace: deps.namespace,
      links: deps.links ?? {},
    });
  });

  router.get('/overview', requireRole('admin', 'operator'), async (req, res) => {
    res.json(await deps.readModel.overview(practiceScope(callerOf(req))));
  });

  router.get('/processes/:id/messages', async (req, res) => {
    const id = processId(req.params.id);
    const known = await deps.readModel.practiceOf(id);
    if (!known || !mayActForPractice(callerOf(req), known.practiceId)) {
      throw notFound(`No process ${id}`);
    }
    res.json({ processId: id, messages: await deps.readModel.messages(id) });
  });

  return router;
}
