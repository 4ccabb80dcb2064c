/**
 * `npm run web-types`: writes the dashboard's API types (web/src/generated/api-types.ts) from
 * the OpenAPI document the API serves, so that `tsc -p web` fails when the API changes shape.
 * `npm run build:web` runs it first; tests/unit/web-types.test.ts fails when the committed
 * file is stale.
 *
 *   npm run web-types
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiTypesSource, writeIfChanged } from './lib/api-types.js';
import { isMain } from './lib/main.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const WEB_TYPES_FILE = join(root, 'web', 'src', 'generated', 'api-types.ts');

/** The text of the generated file: the same document gives the same text, byte for byte. */
export function webTypesSource(): Promise<string> {
  return apiTypesSource(WEB_TYPES_FILE, '`npm run web-types` (`npm run build:web` does it too)');
}

async function main(): Promise<void> {
  if (await writeIfChanged(WEB_TYPES_FILE, await webTypesSource())) {
    process.stderr.write(`wrote ${WEB_TYPES_FILE.slice(root.length + 1)}\n`);
  }
}

if (isMain(import.meta.url)) await main();
