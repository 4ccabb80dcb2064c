import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../../api/openapi/document.js';

/**
 * The API's request and response types from its OpenAPI document, as one TypeScript file: the
 * dashboard's and the TypeScript client's. The same document gives the same text, byte for byte.
 */
export async function apiTypesSource(file: string, regenerateWith: string): Promise<string> {
  const header = `${COMMENT_HEADER.trimEnd()}
// The API's request and response types, from its OpenAPI document (api/openapi/document.ts).
// Regenerate with ${regenerateWith}.

`;
  // A deep copy: the document is frozen, and the generator writes to the document it is given.
  const document = structuredClone(openApiDocument()) as unknown as OpenAPI3;
  const ast = await openapiTS(document, { immutable: true, silent: true });
  const options = await resolveConfig(file);
  return format(header + astToString(ast), { ...options, filepath: file });
}

/** Writes the file if its text changed; true when it did. */
export async function writeIfChanged(file: string, source: string): Promise<boolean> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === source) return false;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, source);
  return true;
}
