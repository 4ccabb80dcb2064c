/**
 * `npm run web-types`: writes the dashboard's API types (web/src/generated/api-types.ts) from
 * the OpenAPI document the API serves, so that `tsc -p web` fails when the API changes shape.
 * `npm run build:web` runs it first; tests/unit/web-types.test.ts fails when the committed
 * file is stale.
 *
 *   npm run web-types
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../api/openapi/document.js';
import { isMain } from './lib/main.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const WEB_TYPES_FILE = join(root, 'web', 'src', 'generated', 'api-types.ts');

const HEADER = `${COMMENT_HEADER.trimEnd()}
// The API's request and response types, from its OpenAPI document (api/openapi/document.ts).
// Regenerate with \`npm run web-types\` (\`npm run build:web\` does it too).

`;

/** The text of the generated file: the same document gives the same text, byte for byte. */
export async function webTypesSource(): Promise<string> {
  // A deep copy: the document is frozen, and the generator writes to the document it is given.
  const document = structuredClone(openApiDocument()) as unknown as OpenAPI3;
  const ast = await openapiTS(document, { immutable: true, silent: true });
  const text = HEADER + astToString(ast);
  const options = await resolveConfig(WEB_TYPES_FILE);
  return format(text, { ...options, filepath: WEB_TYPES_FILE });
}

async function main(): Promise<void> {
  const source = await webTypesSource();
  const current = await readFile(WEB_TYPES_FILE, 'utf8').catch(() => undefined);
  if (current === source) return;
  await mkdir(dirname(WEB_TYPES_FILE), { recursive: true });
  await writeFile(WEB_TYPES_FILE, source);
  process.stderr.write(`wrote ${WEB_TYPES_FILE.slice(root.length + 1)}\n`);
}

if (isMain(import.meta.url)) await main();
