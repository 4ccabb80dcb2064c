import { Router } from 'express';
import type { CredentialStore } from '../../storage/credentials.js';
import { callerOf, practiceScope, requireRole } from '../auth.js';
import { credentialCheckBody } from '../credential-schemas.js';
import { parseOrThrow } from '../validation.js';

/**
 * `POST /credentials/verify`: the physicians' portal checks a sign-in against the credentials
 * praxisflow sent by post. Only the newest letter's password is valid; five wrong ones in a row
 * lock the access until the next letter. A client key checks only its practices' user names
 * (any other reads as not valid).
 */
export function credentialRoutes(deps: { readonly credentials: CredentialStore }): Router {
  const router = Router();
  router.post('/credentials/verify', requireRole('admin', 'client'), async (req, res) => {
    const { userName, password } = parseOrThrow(
      credentialCheckBody,
      req.body ?? {},
      'The request body',
    );
    const result = await deps.credentials.check(userName, password, practiceScope(callerOf(req)));
    res.json({
      userName,
      valid: result.outcome === 'valid',
      locked: result.outcome === 'locked',
    });
  });
  return router;
}
