import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** Where `npm run build:web` puts the operators' dashboard. */
const DEFAULT_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The operators' dashboard (web/): static files under `/dashboard/`, every client-side route
 * answered with its index page, `/` sent there. The files need no key; every API call the
 * page makes carries the operator's key from the browser's session storage.
 */
export function dashboardRoutes(distDir = DEFAULT_DIST): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect(302, '/dashboard/'));
  router.use(
    '/dashboard/assets',
    express.static(join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
  );
  router.get(/^\/dashboard(\/.*)?$/, (_req, res) => {
    const index = join(distDir, 'index.html');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('html')
        .send(
          '<!doctype html><html lang="de"><meta charset="utf-8"><title>Dashboard</title>' +
            '<p>Das Dashboard ist nicht gebaut: <code>npm run build:web</code> ' +
            '(<code>npm start</code> und <code>npm test</code> tun das selbst).</p></html>',
        );
      return;
    }
    res.set('Cache-Control', 'no-store').sendFile(index);
  });
  return router;
}
