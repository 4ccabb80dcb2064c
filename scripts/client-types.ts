/**
 * `npm run client-types`: writes the API types of the TypeScript client
 * (clients/typescript/src/generated/api-types.ts) from the OpenAPI document the API serves, so
 * that the client's calls stop type-checking when the API changes shape.
 * tests/unit/client-types.test.ts fails when the committed file is stale.
 *
 *   npm run client-types
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiTypesSource, writeIfChanged } from './lib/api-types.js';
import { isMain } from './lib/main.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const CLIENT_TYPES_FILE = join(
  root,
  'clients',
  'typescript',
  'src',
  'generated',
  'api-types.ts',
);

/** The text of the generated file: the same document gives the same text, byte for byte. */
export function clientTypesSource(): Promise<string> {
  return apiTypesSource(CLIENT_TYPES_FILE, '`npm run client-types`');
}

async function main(): Promise<void> {
  if (await writeIfChanged(CLIENT_TYPES_FILE, await clientTypesSource())) {
    process.stderr.write(`wrote ${CLIENT_TYPES_FILE.slice(root.length + 1)}\n`);
  }
}

if (isMain(import.meta.url)) await main();
