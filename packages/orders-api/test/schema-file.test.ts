import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printOrdersSchema, SCHEMA_FILE } from '../scripts/emit-schema.js';

describe('schema.graphql', () => {
  it('is the SDL the resolvers build, byte for byte, the same on every build', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    const built = await printOrdersSchema();
    expect(await printOrdersSchema()).toBe(built);
    expect(committed, 'stale: run `pnpm --filter @oms/orders-api schema:emit`').toBe(built);
  });
});
