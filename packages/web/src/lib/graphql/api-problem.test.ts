// @vitest-environment node
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { describe, expect, it } from 'vitest';
import { problemsOf } from './api-problem.js';
import { CANCEL_ORDER } from './order.documents.js';

const NETWORK = {
  code: 'NETWORK',
  message: 'Could not reach the orders service. Check your connection and try again.',
};

describe('problemsOf', () => {
  it('lists every field orders-api names in extensions.fields', () => {
    const error = new CombinedGraphQLErrors({
      data: null,
      errors: [
        {
          message: 'Invalid input: input.items[0].quantity must be between 1 and 10000; …',
          extensions: {
            code: 'BAD_USER_INPUT',
            field: 'input.items[0].quantity',
            fields: [
              { field: 'input.items[0].quantity', message: 'must be between 1 and 10000' },
              { field: 'input.items[1].sku', message: 'must not be blank' },
            ],
          },
        },
      ],
    });
    expect(problemsOf(error)).toEqual([
      {
        code: 'BAD_USER_INPUT',
        field: 'input.items[0].quantity',
        message: 'must be between 1 and 10000',
      },
      { code: 'BAD_USER_INPUT', field: 'input.items[1].sku', message: 'must not be blank' },
    ]);
  });

  it('skips malformed entries of extensions.fields', () => {
    const error = new CombinedGraphQLErrors({
      errors: [
        {
          message: 'Invalid input',
          extensions: {
            code: 'BAD_USER_INPUT',
            fields: [{ field: 'input.currency', message: 'is wrong' }, { field: 3 }, null],
          },
        },
      ],
    });
    expect(problemsOf(error)).toEqual([
      { code: 'BAD_USER_INPUT', field: 'input.currency', message: 'is wrong' },
    ]);
  });

  it('keeps a single field named in extensions.field, with the whole message', () => {
    const message = 'Variable "$input" got invalid value 12.5 at "input.items[0].unitPrice"';
    const error = new CombinedGraphQLErrors({
      errors: [
        { message, extensions: { code: 'BAD_USER_INPUT', field: 'input.items[0].unitPrice' } },
      ],
    });
    expect(problemsOf(error)).toEqual([
      { code: 'BAD_USER_INPUT', field: 'input.items[0].unitPrice', message },
    ]);
  });

  it('keeps the code and message of an error about no field', () => {
    const error = new CombinedGraphQLErrors({
      errors: [
        { message: 'Order x cannot be cancelled', extensions: { code: 'ORDER_NOT_CANCELLABLE' } },
        { message: 'Something odd' },
      ],
    });
    const problems = problemsOf(error);
    expect(problems).toEqual([
      { code: 'ORDER_NOT_CANCELLABLE', message: 'Order x cannot be cancelled' },
      { code: 'UNKNOWN', message: 'Something odd' },
    ]);
    expect(problems.every((p) => !('field' in p))).toBe(true);
  });

  it('names the status of a server that answered with something other than GraphQL', () => {
    const error = new ServerError('Response not successful', {
      response: new Response('Bad gateway', { status: 502 }),
      bodyText: 'Bad gateway',
    });
    expect(problemsOf(error)).toEqual([
      { code: 'SERVER_ERROR', message: 'The orders service answered 502' },
    ]);
  });

  it('reads a plain network failure as NETWORK', () => {
    expect(problemsOf(new TypeError('Failed to fetch'))).toEqual([NETWORK]);
    expect(problemsOf('something else entirely')).toEqual([NETWORK]);
  });
});

describe('problemsOf, on what Apollo Client really rejects with', () => {
  /** A real client over HTTP whose fetch answers as the test says. */
  async function mutateWith(answer: () => Promise<Response>): Promise<unknown> {
    const client = new ApolloClient({
      link: new HttpLink({ uri: 'http://orders.test/graphql', fetch: answer }),
      cache: new InMemoryCache(),
    });
    try {
      await client.mutate({ mutation: CANCEL_ORDER, variables: { id: 'x', reason: null } });
    } catch (error) {
      return error;
    }
    throw new Error('the mutation succeeded');
  }

  const json = (body: unknown, status = 200) =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/graphql-response+json' },
      }),
    );

  it('reads a GraphQL error response', async () => {
    const error = await mutateWith(() =>
      json({
        data: null,
        errors: [
          {
            message: 'Order x cannot be cancelled: it is DELIVERED',
            extensions: { code: 'ORDER_NOT_CANCELLABLE' },
          },
        ],
      }),
    );
    expect(problemsOf(error)).toEqual([
      { code: 'ORDER_NOT_CANCELLABLE', message: 'Order x cannot be cancelled: it is DELIVERED' },
    ]);
  });

  it('reads a variable the server could not coerce (HTTP 400 with GraphQL errors)', async () => {
    const message = 'Variable "$reason" got invalid value 5; String cannot represent 5';
    const error = await mutateWith(() =>
      json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field: 'reason' } }] }, 400),
    );
    expect(problemsOf(error)).toEqual([{ code: 'BAD_USER_INPUT', field: 'reason', message }]);
  });

  it('reads an HTTP error page', async () => {
    const error = await mutateWith(() =>
      Promise.resolve(
        new Response('<h1>Bad gateway</h1>', {
          status: 502,
          headers: { 'content-type': 'text/html' },
        }),
      ),
    );
    expect(problemsOf(error)).toEqual([
      { code: 'SERVER_ERROR', message: 'The orders service answered 502' },
    ]);
  });

  it('reads a refused connection', async () => {
    const error = await mutateWith(() => Promise.reject(new TypeError('fetch failed')));
    expect(problemsOf(error)).toEqual([NETWORK]);
  });
});
