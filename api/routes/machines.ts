import { Router } from 'express';
import { latestDefinition, processTypes } from '../../machines/registry.js';
import { notFound } from '../errors.js';
import { describeMachine } from '../machine-description.js';

export function machineRoutes(): Router {
  const router = Router();

  router.get('/machines', (_req, res) => {
    res.json({
      items: processTypes().flatMap((type) => {
        const definition = latestDefinition(type);
        return definition ? [{ type, version: definition.version, title: definition.title }] : [];
      }),
    });
  });

  router.get('/machines/:type', (req, res) => {
    const definition = latestDefinition(req.params.type);
    if (!definition) throw notFound(`No process type ${req.params.type}`);
    res.json(describeMachine(definition));
  });

  return router;
}
