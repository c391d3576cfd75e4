import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  chargeBody,
  json,
  expectProblem,
  useTestApis,
  type BatchResultJson,
  type PaymentJson,
  type TestApi,
} from './support/test-api.js';

const apis = useTestApis({ PAYMENT_APPROVAL_RATE: '0.5' });

/** A batch item: a charge body with its key; the order id is the key unless overridden. */
function item(idempotencyKey: string, overrides: Record<string, unknown> = {}) {
  return { idempotencyKey, ...chargeBody({ orderId: idempotencyKey }), ...overrides };
}

/** Sends a batch and returns its results, failing unless it was answered 200 as JSON. */
async function batch(api: TestApi, items: readonly unknown[]): Promise<BatchResultJson[]> {
  const response = await api.chargeBatch(items);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { items: BatchResultJson[] };
  expect(body.items).toHaveLength(items.length);
  return body.items;
}

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('POST /payments/batch', () => {
  it('answers each item on its own, as POST /payments would have, and stores only the valid ones', async () => {
    const api = await apis.start();
    const replay = await json<PaymentJson>(
      await api.charge('replay', chargeBody({ orderId: 'replay' })),
    );
    expect((await api.charge('reused', chargeBody({ orderId: 'reused' }))).status).toBe(201);
    const voided = await json<PaymentJson>(await api.voidKey('voided', 'voided'));
    expect(voided.status).toBe('voided');

    const results = await batch(api, [
      item('approve', { amount: 1000 }),
      item('decline', { paymentToken: 'tok_decline' }),
      item('replay'),
      item('reused', { amount: 5 }),
      item('invalid', { amount: -1, currency: 'eur' }),
      item('voided'),
      42,
      chargeBody({ orderId: 'no-key' }),
    ]);

    expect(results.map((r) => [r.idempotencyKey, r.outcome])).toEqual([
      ['approve', 'created'],
      ['decline', 'created'],
      ['replay', 'replayed'],
      ['reused', 'refused'],
      ['invalid', 'refused'],
      ['voided', 'replayed'],
      [null, 'refused'],
      [null, 'refused'],
    ]);
    const [approved, declined, replayed, reused, invalid, blocked, notObject, keyless] = results;
    expect(approved?.payment).toMatchObject({
      orderId: 'approve',
      status: 'confirmed',
      amount: 1000,
      currency: 'EUR',
      refundedAt: null,
    });
    expect(declined?.payment).toMatchObject({ orderId: 'decline', status: 'declined' });
    expect(replayed?.payment).toEqual(replay);
    expect(blocked?.payment).toEqual(voided);
    expect(reused?.problem).toMatchObject({ type: 'idempotency-key-reused', status: 409 });
    expect(invalid?.problem).toMatchObject({ type: 'validation-failed', status: 400 });
    expect(invalid?.problem?.errors?.map((e) => e.field).sort()).toEqual([
      'items[4].amount',
      'items[4].currency',
    ]);
    expect(notObject?.problem?.errors?.map((e) => e.field)).toEqual(['items[6]']);
    expect(keyless?.problem?.errors).toEqual([
      { field: 'items[7].idempotencyKey', message: 'is required' },
    ]);
    for (const result of results) {
      expect(result.payment === undefined).toBe(result.outcome === 'refused');
      expect(result.problem === undefined).toBe(result.outcome !== 'refused');
    }

    // The single route reads what the batch stored, and answers it as a replay too.
    const read = await api.request(`/payments/${approved?.payment?.id ?? ''}`);
    expect(await read.json()).toEqual(approved?.payment);
    const again = await api.charge(
      'decline',
      chargeBody({ orderId: 'decline', paymentToken: 'tok_decline' }),
    );
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(declined?.payment);

    // Each item counted by its outcome, as single charges are.
    const metrics = await (await api.request('/metrics')).text();
    const charges = (outcome: string) =>
      sample(metrics, 'payments_charges_total', `outcome="${outcome}"`);
    // The first two confirmed charges are the single calls made before the batch.
    expect(charges('confirmed')).toBe(3);
    expect(charges('declined')).toBe(1);
    expect(charges('replayed')).toBe(3);
    expect(charges('key_reused')).toBe(1);
    expect(charges('invalid')).toBe(3);
    expect(sample(metrics, 'payments_batch_charges_count')).toBe(1);
    expect(sample(metrics, 'payments_batch_charges_sum')).toBe(8);

    const rows = await api.stopAndQuery<{ key: string; amount: number | null }>(
      sql`select idempotency_key as key, amount from payments order by idempotency_key`,
    );
    expect(rows).toEqual([
      { key: 'approve', amount: 1000 },
      { key: 'decline', amount: 1999 },
      { key: 'replay', amount: 1999 },
      { key: 'reused', amount: 1999 },
      { key: 'voided', amount: null },
    ]);
  });

  it('answers a whole batch sent again with the same payments, drawing nothing again', async () => {
    const api = await apis.start({ PAYMENT_APPROVAL_RATE: '0.5' });
    const items = Array.from({ length: 40 }, (_, i) =>
      item(`again-${i}`, { paymentToken: 'tok_random' }),
    );
    const first = await batch(api, items);
    expect(first.every((r) => r.outcome === 'created')).toBe(true);
    // With rate 0.5 both outcomes show up, so equal answers below are not a coincidence.
    expect([...new Set(first.map((r) => r.payment?.status))].sort()).toEqual([
      'confirmed',
      'declined',
    ]);
    const second = await batch(api, items);
    expect(second.map((r) => r.outcome)).toEqual(items.map(() => 'replayed'));
    expect(second.map((r) => r.payment)).toEqual(first.map((r) => r.payment));

    const rows = await api.stopAndQuery<{ count: number | string }>(
      sql`select count(*) as count from payments`,
    );
    expect(Number(rows[0]?.count)).toBe(40);
  });

  it('answers a key repeated within one batch as a retry sent after the first', async () => {
    const results = await batch(apis.shared, [
      item('twice', { paymentToken: 'tok_random' }),
      item('twice-other'),
      item('twice', { paymentToken: 'tok_random' }),
      item('twice-other', { amount: 1 }),
    ]);
    expect(results.map((r) => [r.idempotencyKey, r.outcome])).toEqual([
      ['twice', 'created'],
      ['twice-other', 'created'],
      ['twice', 'replayed'],
      ['twice-other', 'refused'],
    ]);
    expect(results[2]?.payment).toEqual(results[0]?.payment);
    expect(results[3]?.problem).toMatchObject({ type: 'idempotency-key-reused', status: 409 });
    const listed = await apis.shared.request('/payments?orderId=twice-other');
    expect(await listed.json()).toEqual([results[1]?.payment]);
  });

  it('charges each key once when batches race single calls with the same keys', async () => {
    const api = await apis.start({ PAYMENT_APPROVAL_RATE: '0.5' });
    const keys = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    const items = keys.map((key) => item(key, { paymentToken: 'tok_random' }));
    const body = (key: string) => chargeBody({ orderId: key, paymentToken: 'tok_random' });
    const [firstBatch, singles, lastBatch] = await Promise.all([
      batch(api, items),
      Promise.all(keys.map((key) => api.charge(key, body(key)))),
      batch(api, [...items].reverse()),
    ]);
    const singleAnswers = await Promise.all(
      singles.map(async (r) => ({ status: r.status, payment: await json<PaymentJson>(r) })),
    );
    for (const [i, key] of keys.entries()) {
      const fromBatches = [firstBatch[i], lastBatch[keys.length - 1 - i]];
      const single = singleAnswers[i];
      // Exactly one of the three requests created the payment; the others replayed it.
      const created =
        fromBatches.filter((r) => r?.outcome === 'created').length +
        (single?.status === 201 ? 1 : 0);
      expect(created, key).toBe(1);
      expect(single?.status === 201 || single?.status === 200, key).toBe(true);
      for (const result of fromBatches) expect(result?.payment, key).toEqual(single?.payment);
    }

    const rows = await api.stopAndQuery<{ key: string; count: number | string }>(
      sql`select idempotency_key as key, count(*) as count from payments group by 1`,
    );
    expect(rows).toHaveLength(keys.length);
    expect(rows.every((row) => Number(row.count) === 1)).toBe(true);
  });

  it('takes a batch of the largest size', async () => {
    const items = Array.from({ length: 500 }, (_, i) => item(`full-${i}`));
    const results = await batch(apis.shared, items);
    expect(results.map((r) => r.idempotencyKey)).toEqual(items.map((i) => i.idempotencyKey));
    expect(results.every((r) => r.outcome === 'created' && r.payment?.status === 'confirmed')).toBe(
      true,
    );
  });

  it('refuses a malformed batch as a whole, with the problems of the other routes, storing nothing', async () => {
    const valid = item('whole-1');
    const post = (
      body: string,
      headers: Record<string, string> = {},
      authorization?: string | null,
    ) =>
      apis.shared.request('/payments/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        ...(authorization === undefined ? {} : { authorization }),
      });
    const fields = async (response: Response) =>
      (await expectProblem(response, 400, 'validation-failed')).errors?.map((e) => e.field);

    expect(await fields(await post('{}'))).toEqual(['items']);
    expect(await fields(await post('{"items":[]}'))).toEqual(['items']);
    expect(await fields(await post('{"items":{}}'))).toEqual(['items']);
    expect(await fields(await post(JSON.stringify({ items: [valid], extra: 1 })))).toEqual([
      'extra',
    ]);
    const tooMany = Array.from({ length: 501 }, (_, i) => item(`whole-${i}`));
    expect(await fields(await post(JSON.stringify({ items: tooMany })))).toEqual(['items']);
    await expectProblem(await post('{"items": ['), 400, 'malformed-json');
    await expectProblem(
      await post(JSON.stringify({ items: [valid] }), { 'content-type': 'text/plain' }),
      415,
      'unsupported-media-type',
    );
    await expectProblem(
      await post(JSON.stringify({ items: [valid] }), {}, null),
      401,
      'unauthorized',
    );
    const huge = { items: [item('whole-1', { paymentToken: 'x'.repeat(3 * 1024 * 1024) })] };
    const tooLarge = await expectProblem(
      await post(JSON.stringify(huge)),
      413,
      'payload-too-large',
    );
    expect(tooLarge.detail).toContain(String(2 * 1024 * 1024));

    // None of those keys was taken: a charge under them with another payload is new.
    const after = await batch(
      apis.shared,
      tooMany.slice(0, 500).map((i) => ({ ...i, amount: 7 })),
    );
    expect(after.every((r) => r.outcome === 'created')).toBe(true);
  });

  it('is described in the OpenAPI document, its items with the contract schema', async () => {
    const response = await apis.shared.request('/openapi.json', { authorization: null });
    const document = await json<{
      paths: Record<string, Record<string, Record<string, unknown>>>;
    }>(response);
    const operation = document.paths['/payments/batch']?.post as {
      security: unknown;
      description: string;
      requestBody: { content: Record<string, { schema: { properties: { items: unknown } } }> };
      responses: Record<string, unknown>;
    };
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
    expect(operation.description).toContain('PAYMENT_LATENCY_MS');
    const items = operation.requestBody.content['application/json']?.schema.properties.items as {
      maxItems: number;
      minItems: number;
      items: { required: string[] };
    };
    expect([items.minItems, items.maxItems]).toEqual([1, 500]);
    expect(items.items.required.sort()).toEqual(
      ['amount', 'currency', 'idempotencyKey', 'orderId', 'paymentToken'].sort(),
    );
    expect(Object.keys(operation.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '413', '415']),
    );
  });
});
