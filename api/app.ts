import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Registry } from 'prom-client';
import { latestDefinition } from '../machines/registry.js';
import type { Pool } from '../db/pool.js';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../db/sla.js';
import type { CredentialStore } from '../storage/credentials.js';
import type { TransportPinLetterStore } from '../storage/transport-pin-letters.js';
import type { DocumentStore } from '../storage/document-store.js';
import type { SecretSealer } from '../storage/sealed-secrets.js';
import { authenticate, bootstrapKeyId } from './auth.js';
import { problemHandler, unknownRoute } from './errors.js';
import {
  createLogger,
  requestContext,
  type Logger,
  type LogLevel,
} from './observability/logger.js';
import { traceRequests } from './observability/tracing.js';
import {
  createApiMetrics,
  createApiRegistry,
  httpMetrics,
  metricsRoutes,
  registerOverdueGauge,
} from './observability/metrics.js';
import { DEFAULT_DIGEST_TIME } from '../machines/nightly-digest.schema.js';
import { applicationStatusRoutes } from './routes/application-status.js';
import { practiceRoutes } from './routes/practices.js';
import { rateLimitWritesPerKey, type RateLimitOptions } from './rate-limit.js';
import { jsonBodies } from './request-bodies.js';
import { idempotentPosts } from './idempotency.js';
import { ReadModel } from './read-model.js';
import { codecRoutes } from './routes/codec.js';
import { credentialRoutes } from './routes/credentials.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { docsRoutes } from './routes/docs.js';
import { documentContentRoutes, documentRoutes } from './routes/documents.js';
import { healthRoutes } from './routes/health.js';
import { machineRoutes } from './routes/machines.js';
import { operatorViewRoutes, type OperatorLinks } from './routes/operator-views.js';
import { bulkActionRoutes } from './routes/bulk-actions.js';
import { webhookRoutes } from './routes/webhooks.js';
import { eventStreamRoutes, streamTokenRoutes } from './routes/event-stream.js';
import { EventWakeups, ProcessEventLog } from '../db/process-events.js';
import { WebhookStore } from '../db/webhooks.js';
import { WebhookTargets } from '../config/webhook-targets.js';
import { BulkActions } from './bulk-actions.js';
import { migrationRoutes } from './routes/migrations.js';
import { processListRoutes } from './routes/process-list.js';
import { processRoutes } from './routes/processes.js';
import { registrationLinkRoutes } from './routes/registration-link.js';
import { refuseUndocumentedQueryParameters } from './query-parameters.js';
import { securityHeaders } from './security.js';
import { openApiDocument } from './openapi/document.js';
import { DEVELOPMENT_ORGANISATIONS, type OrganisationProfiles } from '../config/organisations.js';

export interface AppDeps {
  readonly client: Client;
  readonly namespace: string;
  readonly taskQueue: string;
  /** The read model (and the API keys). */
  readonly database: Pool;
  /** Key of the API keys' stored HMACs. */
  readonly apiKeyPepper: string;
  /** An admin key from the environment, valid without a row: the bootstrap. */
  readonly bootstrapAdminKey?: string;
  readonly businessKeySecret: string;
  /**
   * Seals secret fields (PINs, codes, mTANs) before they reach Temporal, under a key the codec
   * does not hold: `secretSealer(codeSecret)`, the workers open them with the same secret.
   */
  readonly secrets: SecretSealer;
  readonly delays: Readonly<Record<string, number>>;
  /** The deployment's service levels; absent: the defaults (nationwide holidays). */
  readonly sla?: SlaPolicy;
  readonly smtp?: { readonly host: string; readonly port: number };
  /** The payload codec of the deployment, for the Web UI's codec endpoint. */
  readonly codec: PayloadCodec;
  /** Origins of the Temporal Web UI allowed to call the codec endpoint. */
  readonly temporalUiOrigins?: readonly string[];
  readonly logger?: Logger;
  readonly logLevel?: LogLevel;
  readonly registry?: Registry;
  readonly rateLimit?: RateLimitOptions;
  /** German wall-clock time of the practices' nightly overview (default 01:30). */
  readonly digestTime?: string;
  /** How long an event's answer waits for its effects before it is a 202 (default 10 s). */
  readonly eventDeadlineMs?: number;
  /** Lookups per client address of the public application status (default 10/min, 5 at once). */
  readonly publicRateLimit?: RateLimitOptions;
  /**
   * Reverse proxies whose `X-Forwarded-For` names the client (Express `trust proxy`: addresses,
   * CIDR ranges, `loopback`). Default none: the per-address limits count the connection's peer.
   */
  readonly trustedProxies?: readonly string[];
  /** Served behind HTTPS: HSTS and secure cookies. */
  readonly https?: boolean;
  /** The portal documents; absent: no document routes. */
  readonly documents?: {
    readonly store: DocumentStore;
    /** The worker's code secret: download tokens derive from it. */
    readonly codeSecret: string;
    /** Largest upload in bytes (default 20 MiB). */
    readonly maxBytes?: number;
    /** Token-only downloads per client address (default 30/min, 10 at once). */
    readonly downloadRateLimit?: RateLimitOptions;
  };
  /** Where the dashboard links to: the Temporal Web UI and the development inbox. */
  readonly links?: OperatorLinks;
  /** The built dashboard (default `web/dist`). */
  readonly dashboardDir?: string;
  /** Sealed Transport-PIN letters of cards; absent: CARD_SHIPPED with a letter answers 503. */
  readonly transportPinLetters?: TransportPinLetterStore;
  /** Portal credentials sent by post, for sign-in checks; absent: no credentials route. */
  readonly credentials?: CredentialStore;
  /** Where webhooks may go; absent: https to public addresses only. */
  readonly webhookTargets?: WebhookTargets;
  /** Who the public pages speak for; absent: the development profiles. */
  readonly organisations?: OrganisationProfiles;
}

const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
/** A multipart upload's parts besides the file (metadata up to 64 kB) and their boundaries. */
const MULTIPART_OVERHEAD_BYTES = 256 * 1024;

/** The HTTP API: thin routes over Temporal and the read model; every error is problem+json. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustedProxies?.length ? [...deps.trustedProxies] : false);
  const logger = deps.logger ?? createLogger({ level: deps.logLevel ?? 'info' });
  const registry = deps.registry ?? createApiRegistry();
  const auth = authenticate({
    pool: deps.database,
    pepper: deps.apiKeyPepper,
    ...(deps.bootstrapAdminKey ? { bootstrapAdminKey: deps.bootstrapAdminKey } : {}),
  });
  const readModel = new ReadModel(deps.database, deps.sla);

  // Timed, logged and with security headers: every answer, errors included.
  app.use(requestContext(logger));
  app.use(traceRequests());
  app.use(httpMetrics(registry));
  app.use(
    securityHeaders({
      https: deps.https ?? false,
      pagePaths: ['/registrierung', '/folgeantrag', '/api/v1/docs', '/codec/session', '/dashboard'],
      noStorePaths: ['/api', '/healthz', '/metrics', '/codec'],
    }),
  );
  registerOverdueGauge(registry, {
    states: (deps.sla ?? DEFAULT_SLA_POLICY).states,
    count: () => readModel.overdueCounts(),
  });
  app.use(metricsRoutes(registry));
  app.use(refuseUndocumentedQueryParameters(openApiDocument()));
  // The codec parses its own, larger bodies (whole histories).
  app.use(
    '/codec',
    codecRoutes({
      codec: deps.codec,
      allowedOrigins: deps.temporalUiOrigins ?? [],
      authenticate: auth,
      pool: deps.database,
      ...(deps.bootstrapAdminKey ? { bootstrapKeyId: bootstrapKeyId(deps.bootstrapAdminKey) } : {}),
    }),
  );
  app.use(jsonBodies(['/api/v1/documents']));

  app.use(
    healthRoutes({
      client: deps.client,
      namespace: deps.namespace,
      database: deps.database,
      ...(deps.smtp ? { smtp: deps.smtp } : {}),
    }),
  );
  app.use(
    registrationLinkRoutes({
      client: deps.client,
      portal: (deps.organisations ?? DEVELOPMENT_ORGANISATIONS).aok.portal,
    }),
  );
  app.use(dashboardRoutes(deps.dashboardDir));
  app.use(docsRoutes());
  // Before the API key: the applicant's own status lookup needs none.
  app.use(
    '/api/v1/public',
    applicationStatusRoutes({
      readModel,
      // Budgets in Postgres: one budget per client however many API processes serve it.
      rateLimit: { ...deps.publicRateLimit, pool: deps.database },
    }),
  );
  const documents = deps.documents && {
    client: deps.client,
    taskQueue: deps.taskQueue,
    documents: deps.documents.store,
    codeSecret: deps.documents.codeSecret,
    maxBytes: deps.documents.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES,
    delays: deps.delays,
    readModel,
    secrets: deps.secrets,
    downloadRateLimit: { ...deps.documents.downloadRateLimit, pool: deps.database },
  };
  // Before the API key too: a download link's one-time token is its credential.
  if (documents) app.use('/api/v1', documentContentRoutes(documents));
  const events = new ProcessEventLog(deps.database);
  // Before the API key too: a browser's stream shows a one-use token instead (and is no write).
  app.use(
    '/api/v1',
    eventStreamRoutes({
      log: events,
      wakeups: new EventWakeups(deps.database),
      authenticate: auth,
    }),
  );
  app.use(
    '/api/v1',
    auth,
    rateLimitWritesPerKey({ ...deps.rateLimit, pool: deps.database }),
    // After the rate limit: a 429 is no answer to keep.
    idempotentPosts({
      pool: deps.database,
      sealer: deps.secrets,
      // An upload's file and its other parts.
      maxBodyBytes: (documents?.maxBytes ?? 0) + MULTIPART_OVERHEAD_BYTES,
    }),
  );
  if (documents) app.use('/api/v1', documentRoutes(documents));
  if (deps.credentials) app.use('/api/v1', credentialRoutes({ credentials: deps.credentials }));
  app.use('/api/v1', machineRoutes());
  app.use(
    '/api/v1',
    operatorViewRoutes({
      readModel,
      namespace: deps.namespace,
      ...(deps.links ? { links: deps.links } : {}),
    }),
  );
  app.use('/api/v1', processListRoutes(readModel));
  app.use('/api/v1', migrationRoutes({ client: deps.client, readModel }));
  app.use(
    '/api/v1',
    webhookRoutes({
      store: new WebhookStore(deps.database),
      targets:
        deps.webhookTargets ?? new WebhookTargets({ allowHttpLocalhost: false, allowedRanges: [] }),
      secrets: deps.secrets,
    }),
  );
  app.use('/api/v1', streamTokenRoutes(events));
  app.use('/api/v1', bulkActionRoutes(new BulkActions(deps.database, deps.client, deps.taskQueue)));
  app.use(
    '/api/v1',
    practiceRoutes({
      client: deps.client,
      taskQueue: deps.taskQueue,
      digestTime: deps.digestTime ?? DEFAULT_DIGEST_TIME,
      delays: deps.delays,
    }),
  );
  app.use(
    '/api/v1',
    processRoutes({
      client: deps.client,
      taskQueue: deps.taskQueue,
      businessKeySecret: deps.businessKeySecret,
      delays: deps.delays,
      readModel,
      secrets: deps.secrets,
      ...(deps.transportPinLetters ? { transportPinLetters: deps.transportPinLetters } : {}),
      ...(deps.eventDeadlineMs ? { eventDeadlineMs: deps.eventDeadlineMs } : {}),
      metrics: createApiMetrics(registry, {
        isKnownType: (type) => latestDefinition(type) !== undefined,
        isKnownEvent: (type, event) => Object.hasOwn(latestDefinition(type)?.events ?? {}, event),
      }),
    }),
  );
  app.use(unknownRoute);
  app.use(problemHandler);
  return app;
}
