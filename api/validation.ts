import type { z } from 'zod';
import { validationError, type FieldError } from './errors.js';

function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.'),
    message: issue.message,
  }));
}

/** Parses at the edge: bad input answers 422 with every field error, before anything happens. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  prefix = '',
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw validationError(`${what} is invalid`, fieldErrors(result.error, prefix));
  return result.data;
}
