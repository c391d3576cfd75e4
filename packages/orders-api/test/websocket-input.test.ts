import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from './support/stack.js';

interface WsError {
  message: string;
  extensions?: { code?: string };
}

/** Subscribes, waits for the server's refusal, and returns its errors. */
async function refusal(stack: Stack, query: string): Promise<WsError[]> {
  const sub = stack.subscribe<unknown>(query);
  await sub.waitFor(() => sub.errors.length > 0 || sub.completed, 10_000);
  sub.stop();
  // graphql-ws hands the error sink the array of errors the server sent.
  return sub.errors.flat() as WsError[];
}

describe('bad operations over WebSocket get the same codes as over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(() => stack.close());

  it('answers a misspelt field as GRAPHQL_VALIDATION_FAILED, without guessing the name', async () => {
    const errors = await refusal(stack, 'subscription { orderUpdatd { id } }');
    expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(errors[0]?.message).not.toContain('Did you mean');
  });

  it('answers a syntax error as GRAPHQL_PARSE_FAILED', async () => {
    const errors = await refusal(stack, 'subscription { orderUpdated { id }');
    expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('refuses a document past the token limit, as over HTTP', async () => {
    const aliases = Array.from({ length: 3_000 }, (_, i) => `a${i}: __typename`).join(' ');
    const errors = await refusal(stack, `subscription { ${aliases} }`);
    expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(errors[0]?.message).toMatch(/token/i);
  });

  it('refuses a subscription nested past the depth limit', async () => {
    const errors = await refusal(
      stack,
      'subscription { orderUpdated { history { from } items { sku } } __typename ' +
        '... on Subscription { ... on Subscription { ... on Subscription { ... on Subscription { ... on Subscription { ... on Subscription { ... on Subscription { ... on Subscription { orderUpdated { id } } } } } } } } } }',
    );
    expect(errors.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
  });
});
