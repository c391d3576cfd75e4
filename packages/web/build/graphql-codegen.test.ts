// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { staleOperationTypes } from './graphql-codegen.js';

describe('generated GraphQL operation types', () => {
  it("are what orders-api's schema.graphql and the SPA's documents give today", async () => {
    expect(await staleOperationTypes(), 'run `pnpm --filter @oms/web codegen`').toEqual([]);
  });
});
