import { Router } from 'express';
import { openApiDocument, type OpenApiOptions } from '../openapi/document.js';
import { renderReferencePage } from '../openapi/reference-page.js';

/** The page loads nothing and runs nothing: its one inline `<style>` is all it needs. */
export const DOCS_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /api/v1/openapi.json` (the OpenAPI 3.1 document) and `GET /api/v1/docs` (the same as an
 * HTML reference page), both public: mount before the API key middleware. Both are built when
 * the router is made, so a schema the document cannot express fails the start, not a request.
 */
export function docsRoutes(options: OpenApiOptions = {}): Router {
  const document = openApiDocument(options);
  const page = renderReferencePage(document);
  const router = Router();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/api/v1/docs', (_req, res) => {
    res.set('Content-Security-Policy', DOCS_PAGE_CSP).type('html').send(page);
  });
  return router;
}
