// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { fetchOrdersCsv, filenameOf } from './orders-csv.js';

const CSV = 'number,id,status\r\n1042,abc,CREATED\r\n';

function answering(response: Response | Error) {
  return vi.fn<typeof fetch>(() =>
    response instanceof Error ? Promise.reject(response) : Promise.resolve(response),
  );
}

describe('fetchOrdersCsv', () => {
  it('sends the bearer token and gives the file with the name the server chose', async () => {
    const fetchFn = answering(
      new Response(CSV, {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="orders-20261204T150000Z.csv"',
        },
      }),
    );
    const result = await fetchOrdersCsv('/orders.csv?status=CREATED', 'Bearer t0k', fetchFn);
    expect(fetchFn).toHaveBeenCalledWith('/orders.csv?status=CREATED', {
      headers: { accept: 'text/csv', authorization: 'Bearer t0k' },
    });
    expect(result.ok && result.filename).toBe('orders-20261204T150000Z.csv');
    expect(result.ok && (await result.blob.text())).toBe(CSV);
  });

  it('sends no authorization header without a token', async () => {
    const fetchFn = answering(new Response(CSV));
    await fetchOrdersCsv('/orders.csv', null, fetchFn);
    expect(fetchFn.mock.calls[0]?.[1]).toEqual({ headers: { accept: 'text/csv' } });
  });

  it('says which parameter the server refused, in its words', async () => {
    const body = {
      error: {
        code: 'BAD_USER_INPUT',
        message: 'Invalid list query',
        fields: [{ field: 'search', message: 'must be at least 3 characters' }],
      },
    };
    const result = await fetchOrdersCsv(
      '/orders.csv?search=ab',
      null,
      answering(Response.json(body, { status: 400 })),
    );
    expect(result).toEqual({
      ok: false,
      message: 'The export was refused: search must be at least 3 characters.',
    });
  });

  it('explains a refused token, a failing server and an unreachable one', async () => {
    const denied = await fetchOrdersCsv(
      '/orders.csv',
      'Bearer x',
      answering(new Response('', { status: 401 })),
    );
    expect(denied.ok || denied.message).toMatch(/HTTP 401.*access token/);
    const failed = await fetchOrdersCsv(
      '/orders.csv',
      null,
      answering(new Response('', { status: 503 })),
    );
    expect(failed.ok || failed.message).toMatch(/HTTP 503/);
    const down = await fetchOrdersCsv(
      '/orders.csv',
      null,
      answering(new TypeError('Failed to fetch')),
    );
    expect(down.ok || down.message).toMatch(/Could not reach the orders service/);
  });
});

describe('filenameOf', () => {
  it('reads the attachment’s name, and falls back to a plain one', () => {
    expect(filenameOf('attachment; filename="orders-1.csv"')).toBe('orders-1.csv');
    expect(filenameOf(null)).toBe('orders.csv');
    expect(filenameOf('attachment')).toBe('orders.csv');
    expect(filenameOf('attachment; filename="../../x.csv"')).toBe('.._.._x.csv');
  });
});
