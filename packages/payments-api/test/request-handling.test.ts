import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chargeBody,
  expectProblem,
  json,
  startTestApi,
  TEST_TOKEN,
  type TestApi,
} from './support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.dispose();
});

function postPayment(body: unknown, headers: Record<string, string> = {}) {
  return api.request('/payments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('authentication', () => {
  it.each([
    ['missing', null],
    ['wrong', 'Bearer not-the-token'],
    ['of another scheme', `Basic ${TEST_TOKEN}`],
    ['empty', 'Bearer '],
  ])('answers 401 with WWW-Authenticate when the token is %s', async (_case, authorization) => {
    const response = await api.request('/payments', {
      method: 'POST',
      authorization,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify(chargeBody()),
    });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(response, 401, 'unauthorized');
  });

  it('protects reads, refunds and voids too', async () => {
    const id = '01900000-0000-7000-8000-000000000000';
    const responses = await Promise.all([
      api.request(`/payments/${id}`, { authorization: null }),
      api.request(`/payments/${id}/refund`, { method: 'POST', authorization: null }),
      api.request('/payments/void', { method: 'POST', authorization: 'Bearer nope' }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401]);
  });

  it('accepts the scheme name in any case', async () => {
    const response = await api.request('/payments/01900000-0000-7000-8000-000000000000', {
      authorization: `bearer ${TEST_TOKEN}`,
    });
    expect(response.status).toBe(404);
  });
});

describe('validation', () => {
  it.each([
    ['a negative amount', { amount: -1 }, 'amount'],
    ['a fractional amount', { amount: 1.5 }, 'amount'],
    ['an amount above int4', { amount: 2_147_483_648 }, 'amount'],
    ['an amount sent as text', { amount: '100' }, 'amount'],
    ['a lower-case currency', { currency: 'eur' }, 'currency'],
    ['an empty order id', { orderId: '' }, 'orderId'],
    ['an empty payment token', { paymentToken: '' }, 'paymentToken'],
    ['an extra property', { extra: true }, 'extra'],
    // PostgreSQL text cannot hold NUL; it used to reach the database and answer 500.
    ['a NUL in the order id', { orderId: 'a\u0000b' }, 'orderId'],
    ['a NUL in the payment token', { paymentToken: 't\u0000' }, 'paymentToken'],
  ])('answers 400 naming the field for %s', async (_case, override, field) => {
    const response = await postPayment({ ...chargeBody(), ...override });
    const body = await expectProblem(response, 400, 'validation-failed');
    expect(body.errors?.map((e) => e.field)).toEqual([field]);
  });

  it('names a missing property', async () => {
    const body = { orderId: 'order-1', amount: 1999, currency: 'EUR' };
    const problem = await expectProblem(await postPayment(body), 400, 'validation-failed');
    expect(problem.errors).toEqual([{ field: 'paymentToken', message: 'is required' }]);
  });

  it('names the Idempotency-Key header when it is missing or too long', async () => {
    const missing = await api.request('/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chargeBody()),
    });
    const problem = await expectProblem(missing, 400, 'validation-failed');
    expect(problem.errors).toEqual([{ field: 'Idempotency-Key', message: 'is required' }]);

    const tooLong = await postPayment(chargeBody(), { 'idempotency-key': 'k'.repeat(201) });
    const long = await expectProblem(tooLong, 400, 'validation-failed');
    expect(long.errors?.map((e) => e.field)).toEqual(['Idempotency-Key']);
  });

  it('names every field at fault in one answer, header included', async () => {
    const response = await api.request('/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'o', amount: -1, currency: 'eur', extra: 1 }),
    });
    const problem = await expectProblem(response, 400, 'validation-failed');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(
      ['Idempotency-Key', 'amount', 'currency', 'extra', 'paymentToken'].sort(),
    );
  });

  it('answers 400 when the body is missing', async () => {
    const response = await api.request('/payments', {
      method: 'POST',
      headers: { 'idempotency-key': 'k' },
    });
    const problem = await expectProblem(response, 400, 'validation-failed');
    expect(problem.errors).toEqual([{ field: 'body', message: 'must be object' }]);
  });

  it('validates the void body as well', async () => {
    const response = await api.request('/payments/void', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify({ orderId: '', amount: 1 }),
    });
    const problem = await expectProblem(response, 400, 'validation-failed');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['amount', 'orderId']);
  });

  it('stores nothing for a rejected request', async () => {
    await postPayment({ ...chargeBody(), amount: -1 }, { 'idempotency-key': 'rejected-key' });
    const response = await api.charge('rejected-key', chargeBody({ orderId: 'another' }));
    expect(response.status).toBe(201);
  });
});

describe('malformed requests', () => {
  it('answers 400 to malformed JSON', async () => {
    await expectProblem(await postPayment('{"orderId": '), 400, 'malformed-json');
  });

  it('answers 413 to a body over 16 KiB', async () => {
    const body = chargeBody({ paymentToken: 'x'.repeat(17 * 1024) });
    await expectProblem(await postPayment(body), 413, 'payload-too-large');
  });

  it('answers 415 to a body that is not JSON', async () => {
    const response = await postPayment('orderId=1', { 'content-type': 'text/plain' });
    await expectProblem(response, 415, 'unsupported-media-type');
    const form = await postPayment('a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    await expectProblem(form, 415, 'unsupported-media-type');
  });

  it('answers 404 to an unknown route, also without a token', async () => {
    await expectProblem(await api.request('/nowhere'), 404, 'not-found');
    await expectProblem(await api.request('/nowhere', { authorization: null }), 404, 'not-found');
    await expectProblem(await api.request('/payments', { method: 'DELETE' }), 404, 'not-found');
  });

  it('accepts a refund sent with a JSON content type and no body', async () => {
    const created = await api.charge('empty-body-refund', chargeBody({ orderId: 'refund-me' }));
    const { id } = await json<{ id: string }>(created);
    const response = await api.request(`/payments/${id}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
  });
});

describe('service endpoints', () => {
  it('answers /health and /ready without a token', async () => {
    const health = await api.request('/health', { authorization: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await api.request('/ready', { authorization: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves an OpenAPI document describing the payment routes and bearer auth', async () => {
    const response = await api.request('/openapi.json', { authorization: null });
    expect(response.status).toBe(200);
    const document = await json<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; parameters?: { name: string }[] }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    }>(response);
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/payments',
        '/payments/void',
        '/payments/{id}',
        '/payments/{id}/refund',
        '/health',
        '/ready',
      ]),
    );
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer' },
    });
    expect(document.paths['/payments']?.post?.security).toEqual([{ bearerAuth: [] }]);
    const parameters = document.paths['/payments']?.post?.parameters ?? [];
    expect(parameters.map((p) => p.name.toLowerCase())).toContain('idempotency-key');
  });
});
