import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from './support/stack.js';

const IDE_URL = 'http://127.0.0.1:5999/graphiql';

/** What Chromium sends when someone types the address in. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('opening /graphql in a browser', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ orders: { ORDERS_IDE_URL: IDE_URL } });
  });

  afterAll(async () => {
    await stack.close();
  });

  const get = (search: string, headers: Record<string, string>) =>
    fetch(`${stack.graphqlUrl}${search}`, { headers, redirect: 'manual' });

  it('redirects to the bundled GraphQL IDE', async () => {
    const response = await get('', { accept: BROWSER_ACCEPT });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(IDE_URL);
  });

  it('redirects a HEAD like the GET, never answering with Apollo’s online landing page', async () => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'HEAD',
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
  });

  it('still runs a GET query, even from a browser', async () => {
    const response = await get(`?query=${encodeURIComponent('{ __typename }')}`, {
      accept: BROWSER_ACCEPT,
      // Apollo's CSRF prevention refuses "simple" GET requests without it.
      'apollo-require-preflight': 'true',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it.each([
    ['JSON', 'application/json'],
    ['the GraphQL response type', 'application/graphql-response+json'],
    ['anything', '*/*'],
  ])('leaves a client that accepts %s to GraphQL', async (_label, accept) => {
    const response = await get('', { accept, 'apollo-require-preflight': 'true' });
    expect(response.status).not.toBe(302);
    expect(response.headers.get('content-type')).toMatch(/json/);
  });

  it('still answers a POST', async () => {
    const result = await stack.gql<{ __typename: string }>('{ __typename }');
    expect(result).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });
});
