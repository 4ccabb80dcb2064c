import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import { requireApiKey } from './auth.js';
import { problemHandler, unknownRoute } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { machineRoutes } from './routes/machines.js';
import { processRoutes } from './routes/processes.js';
import { registrationLinkRoutes } from './routes/registration-link.js';

export interface AppDeps {
  readonly client: Client;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly adminKey: string;
  readonly businessKeySecret: string;
  readonly delays: Readonly<Record<string, number>>;
  readonly smtp?: { readonly host: string; readonly port: number };
}

/** The HTTP API: thin routes over Temporal; every error leaves as problem+json. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));

  app.use(healthRoutes(deps));
  app.use(registrationLinkRoutes());
  app.use('/api/v1', requireApiKey(deps.adminKey));
  app.use('/api/v1', machineRoutes());
  app.use('/api/v1', processRoutes(deps));
  app.use(unknownRoute);
  app.use(problemHandler);
  return app;
}
