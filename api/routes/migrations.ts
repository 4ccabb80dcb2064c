import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { definitionOf, latestDefinition, migrationsOf } from '../../machines/registry.js';
import { migrateUpdate, type MigrationRequest } from '../../workflows/protocol.js';
import { callerOf, requireRole } from '../auth.js';
import { notFound } from '../errors.js';
import { migrationBody, migrationQuery } from '../migration-schemas.js';
import { previewMigration, processId, refusalOf } from '../process-handles.js';
import type { ReadModel } from '../read-model.js';
import { parseOrThrow } from '../validation.js';

/**
 * Moving running processes to another version of their machine (admins and operators): the
 * dry run and the migration of one process, and per type which versions run. A bulk action
 * will call the same update for many, with its id in the request.
 */
export function migrationRoutes(deps: {
  readonly client: Client;
  readonly readModel: ReadModel;
}): Router {
  const router = Router();
  const operators = requireRole('admin', 'operator');

  router.post('/processes/:id/migrations', operators, async (req, res) => {
    const { dryRun } = parseOrThrow(migrationQuery, req.query, 'The query');
    const { toVersion, reason } = parseOrThrow(migrationBody, req.body ?? {}, 'The migration');
    const handle = deps.client.workflow.getHandle(processId(req.params.id));
    if (dryRun === 'true') {
      res.json(await previewMigration(handle, toVersion));
      return;
    }
    const request: MigrationRequest = { toVersion, reason, actor: callerOf(req).keyId };
    try {
      res.json(await handle.executeUpdate(migrateUpdate, { args: [request] }));
    } catch (error) {
      throw await refusalOf(error, handle);
    }
  });

  router.get('/process-types/:type/versions', operators, async (req, res) => {
    const type = String(req.params.type);
    const latest = latestDefinition(type);
    if (!latest) throw notFound(`No process type ${type}`);
    const counts = await deps.readModel.versionCounts(type);
    const migrations = migrationsOf(type);
    const versions = [];
    for (let version = 1; version <= latest.version; version++) {
      if (!definitionOf(type, version)) continue;
      const count = counts.find((row) => row.version === version);
      versions.push({
        version,
        running: count?.running ?? 0,
        ended: count?.ended ?? 0,
        migratesTo: migrations.find((migration) => migration.from === version)?.to ?? null,
      });
    }
    res.json({ type, title: latest.title, latestVersion: latest.version, versions });
  });

  return router;
}
