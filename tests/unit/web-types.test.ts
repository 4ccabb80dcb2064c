import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WEB_TYPES_FILE, webTypesSource } from '../../scripts/web-types.js';

describe("the dashboard's API types", () => {
  it('when generated from the OpenAPI document now, then it equals the committed web/src/generated/api-types.ts', async () => {
    // Arrange
    const committed = await readFile(WEB_TYPES_FILE, 'utf8').catch(() => '');

    // Act
    const generated = await webTypesSource();

    // Assert
    expect(
      committed === generated,
      'web/src/generated/api-types.ts is not what the OpenAPI document gives now: run `npm run web-types` (or `npm run build:web`) and commit it',
    ).toBe(true);
  }, 30_000);
});
