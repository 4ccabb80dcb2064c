import type { z } from 'zod';
import type { Role } from '../api-keys.js';
import type { JsonSchema } from './json-schema.js';

/** The declarative description of one operation, from which the document is built. */

/** A schema as zod (converted for its direction) or as JSON Schema already. */
export type SchemaSource = z.ZodType | JsonSchema;

interface HeaderSpec {
  readonly description: string;
  readonly schema: JsonSchema;
}

export interface ResponseSpec {
  readonly description: string;
  /** Default: `application/json`. */
  readonly contentType?: string;
  readonly schema?: SchemaSource;
  readonly example?: unknown;
  readonly headers?: Readonly<Record<string, HeaderSpec>>;
}

export interface RequestBodySpec {
  readonly description?: string;
  /** Default: `application/json`. */
  readonly contentType?: string;
  /** Per part of a multipart body: its own content type. */
  readonly encoding?: Readonly<Record<string, { readonly contentType: string }>>;
  readonly schema: SchemaSource;
  readonly example?: unknown;
  /** Named examples (instead of `example`), e.g. one per event. */
  readonly examples?: Readonly<
    Record<string, { readonly summary: string; readonly value: unknown }>
  >;
}

export interface OperationSpec {
  readonly method: 'get' | 'post' | 'delete';
  /** OpenAPI style: `/api/v1/processes/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly tag: string;
  readonly summary: string;
  readonly description: string;
  /** `apiKey`: `Authorization: Bearer <key>`; `none`: public. */
  readonly security: 'apiKey' | 'none';
  /** Roles that may call it (secured operations); the others get 403. */
  readonly roles?: readonly Role[];
  /** Object schemas whose properties are the parameters (examples from their metadata). */
  readonly pathParameters?: z.ZodObject;
  readonly queryParameters?: z.ZodObject;
  /** Examples of query parameters, by name. */
  readonly queryExamples?: Readonly<Record<string, unknown>>;
  readonly requestBody?: RequestBodySpec;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}
