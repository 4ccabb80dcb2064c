import type { Request } from 'express';

const templates = new WeakMap<Request, string>();

/**
 * Remembers the matched route template (`/api/v1/processes/:id`) of a request.
 *
 * Reading `req.baseUrl + req.route.path` when the response finishes is not enough: once a route
 * passes an error on, Express restores `req.baseUrl` on the way out of the router, and the
 * error handler's answer would be labelled `/processes/:id`. Express assigns `req.route` right
 * before it calls a route's handlers, when `req.baseUrl` is still the router's mount path, so
 * the template is captured at that assignment.
 */
export function trackRouteTemplate(req: Request): void {
  if (Object.getOwnPropertyDescriptor(req, 'route')?.set) return;
  let route: unknown = req.route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (path !== undefined) templates.set(req, `${req.baseUrl}${String(path)}`);
    },
  });
}

/** The template of the route that answered; `unmatched` when none did (404, auth refusals). */
export function routeTemplateOf(req: Request): string {
  return templates.get(req) ?? 'unmatched';
}
