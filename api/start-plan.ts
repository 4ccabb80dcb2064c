/**
 * The start planner (`workflows/start-plan.ts`) as the API uses it: issued numbers drawn from
 * the CSPRNG (they must not be guessable), the wall clock, the deployment's key for business
 * keys made of personal data, and a refusal answered as 422 naming its fields.
 */
import { randomInt } from 'node:crypto';
import type { ProcessDefinition } from '../machines/process-definition.js';
import {
  planStart,
  StartRefusal,
  type StartPlan,
  type StartRequest,
} from '../workflows/start-plan.js';
import { generatedBusinessKey, hashedBusinessKey } from './business-key.js';
import { validationError } from './errors.js';

/** Uniform in [0, 1) from the CSPRNG. */
const secureRandom = (): number => randomInt(0, 2 ** 47) / 2 ** 47;

export function planApiStart(
  definition: ProcessDefinition,
  request: Omit<StartRequest, 'origin'>,
  /** Key of the keyed hash for business keys made of personal data. */
  businessKeySecret?: string,
): StartPlan {
  try {
    return planStart(
      definition,
      { origin: 'api', ...request },
      {
        now: new Date(),
        random: secureRandom,
        newKey: generatedBusinessKey,
        ...(businessKeySecret
          ? { keyedHash: (parts) => hashedBusinessKey(businessKeySecret, parts) }
          : {}),
      },
    );
  } catch (error) {
    if (error instanceof StartRefusal) throw validationError(error.detail, error.issues);
    throw error;
  }
}
