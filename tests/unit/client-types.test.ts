import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, clientTypesSource } from '../../scripts/client-types.js';

describe("the TypeScript client's API types", () => {
  it('when generated from the OpenAPI document now, then it equals the committed clients/typescript/src/generated/api-types.ts', async () => {
    // Arrange
    const committed = await readFile(CLIENT_TYPES_FILE, 'utf8').catch(() => '');

    // Act
    const generated = await clientTypesSource();

    // Assert
    expect(
      committed === generated,
      'clients/typescript/src/generated/api-types.ts is not what the OpenAPI document gives now: run `npm run client-types` and commit it',
    ).toBe(true);
  }, 30_000);
});
