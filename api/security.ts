import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeadersOptions {
  /**
   * The deployment is reached over HTTPS only (`PRAXISFLOW_HTTPS=true`, TLS ends at the ingress).
   * Only then is HSTS sent: on a plain-HTTP deployment it would teach browsers to refuse the
   * origin for a year. Default false, as with `npm start` on http://localhost.
   */
  readonly https?: boolean;
  /**
   * Path prefixes that serve HTML (the registration reference page, later the dashboard): they
   * get the page CSP, everything else the API's `default-src 'none'`.
   * Default `['/registrierung', '/dashboard']`.
   */
  readonly pagePaths?: readonly string[];
  /**
   * Path prefixes answered with `Cache-Control: no-store`: process views and health carry
   * personal or live data that no browser or proxy cache may keep.
   * Default `['/api', '/healthz', '/metrics']`.
   */
  readonly noStorePaths?: readonly string[];
}

const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** JSON answers load nothing and are framed by nobody. */
const apiDirectives = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/**
 * Same-origin pages: scripts only from files of this origin (no inline script), fetches only to
 * this API. Inline styles are allowed because the reference page carries one `<style>`; a style
 * cannot run code.
 */
const pageDirectives = (https: boolean) => ({
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'manifest-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  ...(https ? { 'upgrade-insecure-requests': [] } : {}),
});

/** Express routes case-insensitively, so prefixes are compared that way, by whole segments. */
const under = (path: string, prefixes: readonly string[]): boolean => {
  const lower = path.toLowerCase();
  return prefixes.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
};

const normalised = (prefixes: readonly string[]): string[] =>
  prefixes.map((prefix) => prefix.toLowerCase().replace(/\/+$/, ''));

/**
 * Security headers for every answer (helmet): CSP, `Referrer-Policy: no-referrer`,
 * `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, same-origin COOP/CORP, HSTS when
 * `https`, and `Cache-Control: no-store` under `noStorePaths`. Mount it at the app root, first
 * or right after `requestContext`, so error and 404 answers carry the headers too.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): RequestHandler {
  const https = options.https ?? false;
  const pagePaths = normalised(options.pagePaths ?? ['/registrierung', '/dashboard']);
  const noStorePaths = normalised(options.noStorePaths ?? ['/api', '/healthz', '/metrics']);
  const common = {
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_SECONDS } : false,
    referrerPolicy: { policy: 'no-referrer' as const },
    xFrameOptions: { action: 'deny' as const },
  };
  const forApi = helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: apiDirectives },
  });
  const forPages = helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: pageDirectives(https) },
  });
  return (req, res, next) => {
    if (under(req.path, noStorePaths)) res.setHeader('Cache-Control', 'no-store');
    (under(req.path, pagePaths) ? forPages : forApi)(req, res, next);
  };
}
