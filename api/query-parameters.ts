import type { RequestHandler } from 'express';
import { validationError } from './errors.js';
import type { OpenApiDocument } from './openapi/document.js';

interface DocumentedOperation {
  readonly method: string;
  readonly pattern: RegExp;
  /** Path parameters: a literal segment wins over a parameter when both match. */
  readonly placeholders: number;
  readonly query: ReadonlySet<string>;
}

function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  const found: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const placeholders = path.match(/\{[^}]+\}/g)?.length ?? 0;
    const escaped = path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const pattern = new RegExp(`^${escaped}$`);
    for (const [method, operation] of Object.entries(item)) {
      // Pages and downloads answer what a browser needs, not 422: they take what they know.
      const responses = (operation.responses ?? {}) as Record<string, unknown>;
      if (!Object.hasOwn(responses, '422')) continue;
      const parameters = Array.isArray(operation.parameters)
        ? (operation.parameters as { name?: unknown; in?: unknown }[])
        : [];
      const query = new Set(parameters.filter((p) => p.in === 'query').map((p) => String(p.name)));
      found.push({ method: method.toUpperCase(), pattern, placeholders, query });
    }
  }
  return found.sort((a, b) => a.placeholders - b.placeholders);
}

/**
 * Query parameters are part of the contract: an operation of the OpenAPI document that answers
 * 422 refuses every one it does not document, so a client that asks for something this server
 * lacks (`POST …/events?dryRun=true`) is told so and nothing happens. Pages and download links
 * (no 422 in their contract) and paths outside the document (the dashboard, the codec endpoint)
 * are left to their own routes.
 */
export function refuseUndocumentedQueryParameters(document: OpenApiDocument): RequestHandler {
  const operations = documentedOperations(document);
  return (req, _res, next) => {
    const names = Object.keys(req.query as Record<string, unknown>);
    if (names.length === 0) return next();
    const operation = operations.find(
      (candidate) => candidate.method === req.method && candidate.pattern.test(req.path),
    );
    const unknown = operation ? names.filter((name) => !operation.query.has(name)) : [];
    if (unknown.length === 0) return next();
    const taken = operation ? [...operation.query] : [];
    next(
      validationError(
        `This operation takes ${taken.length === 0 ? 'no query parameters' : `only the query parameters ${taken.join(', ')}`}`,
        unknown.map((name) => ({
          path: `query.${name.slice(0, 80)}`,
          message: 'Unknown query parameter: nothing was done',
        })),
      ),
    );
  };
}
