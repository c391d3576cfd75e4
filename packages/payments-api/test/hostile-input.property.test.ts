import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_TOKEN,
  chargeBody,
  json,
  startTestApi,
  type BatchResultJson,
  type ProblemJson,
  type TestApi,
} from './support/test-api.js';

/**
 * Property-based hostile input (fast-check) for every route: whatever the body, headers or
 * parameters, the answer is a success or a precise problem (4xx, `application/problem+json`,
 * naming each field at fault for a 400), never a 5xx; a refused request stores nothing, and so
 * does a refused item of a batch. Seeded:
 * a failure prints its seed and path; FC_SEED and FC_RUNS override them. The hand-written cases
 * are in request-handling.test.ts.
 */
const SEED = Number(process.env.FC_SEED ?? 5_0_5);
const RUNS = Number(process.env.FC_RUNS ?? 100);
const REFUSALS = new Set([400, 401, 404, 409, 413, 414, 415]);

/** Header-safe text (Latin-1, no control characters): what a client can put in a header at all. */
const headerText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 220,
});
/** Characters that have broken servers: NUL, lone surrogates, direction marks, quotes, escapes. */
const trickyChar = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '"',
  '\\',
  '%',
  '\n',
  ' ',
  'a',
  '😀',
);
const anyString = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: trickyChar, minLength: 1, maxLength: 8 }) },
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', ' ', '\u0000', 'x'.repeat(201), 'EUR', 'eur', 'tok_approve', '1e3', '-1'),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: anyString },
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 1.5, 2 ** 31, 2 ** 53, -0)),
  fc.constantFrom(null, true, [], {}),
);
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, anyValue);
/** Charge bodies close enough to valid to reach every rule, and anything at all. */
const chargeLike = fc.oneof(
  anyValue,
  fc.record(
    {
      orderId: mostly(fc.uuid()),
      amount: mostly(fc.integer({ min: -1, max: 2 ** 31 })),
      currency: mostly(fc.constantFrom('EUR', 'USD')),
      paymentToken: mostly(fc.constantFrom('tok_approve', 'tok_decline', 'tok_any')),
      extra: fc.oneof(fc.constant(undefined), anyValue),
    },
    { requiredKeys: [] },
  ),
);
/** Batch items: charge-like bodies with a key, often one of a few so keys repeat and clash. */
const batchItem = fc
  .tuple(
    chargeLike,
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('batch-a', 'batch-b', 'batch-c', 'batch-d') },
      fc.constant(undefined),
      anyValue,
    ),
  )
  .map(([charge, key]) =>
    typeof charge === 'object' && charge !== null && !Array.isArray(charge) && key !== undefined
      ? { idempotencyKey: key, ...charge }
      : charge,
  );
/** Valid items over few keys and values, so that replays and reused keys come up too. */
const validBatchItem = fc.record({
  idempotencyKey: fc.constantFrom('batch-a', 'batch-b', 'batch-c', 'batch-d'),
  orderId: fc.constantFrom('order-a', 'order-b'),
  amount: fc.constantFrom(0, 100),
  currency: fc.constant('EUR'),
  paymentToken: fc.constantFrom('tok_approve', 'tok_decline', 'tok_any'),
});
/** Batch bodies: mostly arrays of items (an empty or too long one now and then), or anything. */
const batchLike = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(validBatchItem, batchItem), { maxLength: 8 })
      .map((items) => ({ items })),
  },
  fc.array(batchItem, { minLength: 501, maxLength: 501 }).map((items) => ({ items })),
  fc.record(
    { items: anyValue, extra: fc.oneof(fc.constant(undefined), anyValue) },
    { requiredKeys: [] },
  ),
  anyValue,
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/problem+json',
  '',
);
const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant(`Bearer ${TEST_TOKEN}`) },
  fc.constant(null),
  headerText,
  headerText.map((t) => `Bearer ${t}`),
  fc.constant(`bearer  ${TEST_TOKEN} `),
);

/** Percent-encoded, lone surrogates first made U+FFFD (as a URL would carry them). */
const encode = (text: string) => encodeURIComponent(Buffer.from(text).toString('utf8'));

let api: TestApi;
/** Idempotency keys of requests that were accepted: the only ones allowed to have a record. */
const acceptedKeys = new Set<string>();

beforeAll(async () => {
  console.info(`hostile-input: fast-check seed ${SEED}, ${RUNS} runs per property`);
  fc.configureGlobal({ seed: SEED, numRuns: RUNS });
  api = await startTestApi();
});

afterAll(async () => {
  await api.dispose();
});

/** The rule every answer keeps: a success, or a precise problem; never a server error. */
async function expectPrecise(response: Response): Promise<void> {
  const text = await response.text();
  const context = `${response.status} ${text.slice(0, 400)}`;
  expect(response.status, context).toBeLessThan(500);
  if (response.status < 400) return;
  expect(REFUSALS.has(response.status), context).toBe(true);
  expect(response.headers.get('content-type'), context).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as ProblemJson;
  expect(problem.status, context).toBe(response.status);
  expect(
    problem.type.length * problem.title.length * problem.detail.length,
    context,
  ).toBeGreaterThan(0);
  if (problem.type === 'validation-failed') {
    expect(problem.errors?.length, context).toBeGreaterThan(0);
    for (const error of problem.errors ?? [])
      expect(error.field.length, context).toBeGreaterThan(0);
  }
  expect(text, context).not.toMatch(/\bat \S+ \(|\.[cm]?[jt]s:\d+:\d+/);
}

function send(
  path: string,
  init: {
    method?: string;
    body?: string;
    contentType?: string;
    key?: string;
    authorization?: string | null;
  },
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.contentType) headers['content-type'] = init.contentType;
  if (init.key !== undefined) headers['idempotency-key'] = init.key;
  return api.request(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    authorization: init.authorization === undefined ? `Bearer ${TEST_TOKEN}` : init.authorization,
  });
}

describe('hostile input, generated (fast-check)', () => {
  it('POST /payments with any body, key, content type and authorization', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          chargeLike.map((b) => JSON.stringify(b)),
          anyString,
        ),
        fc.oneof(fc.constant(undefined), headerText),
        contentType,
        authorization,
        async (body, key, type, auth) => {
          const response = await send('/payments', {
            method: 'POST',
            body,
            contentType: type,
            ...(key === undefined ? {} : { key }),
            authorization: auth,
          });
          if (response.ok && key !== undefined) acceptedKeys.add(key);
          await expectPrecise(response);
        },
      ),
    );
  });

  it('POST /payments/batch with any items, keys, content type and authorization', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: batchLike.map((b) => JSON.stringify(b)) }, anyString),
        // Mostly what gets a batch past the envelope, so the items' own rules are reached.
        fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, contentType),
        fc.oneof({ weight: 3, arbitrary: fc.constant(`Bearer ${TEST_TOKEN}`) }, authorization),
        async (body, type, auth) => {
          const response = await send('/payments/batch', {
            method: 'POST',
            body,
            contentType: type,
            authorization: auth,
          });
          if (!response.ok) {
            await expectPrecise(response);
            return;
          }
          const text = await response.text();
          const context = `${response.status} ${text.slice(0, 400)}`;
          expect(response.status, context).toBe(200);
          const sent = (JSON.parse(body) as { items: unknown[] }).items;
          const { items } = JSON.parse(text) as { items: BatchResultJson[] };
          expect(items.length, context).toBe(sent.length);
          items.forEach((result, index) => {
            if (result.outcome === 'refused') {
              // The same rule as a whole answer: a precise problem naming this item's fields.
              const problem = result.problem;
              expect(problem?.status === 400 || problem?.status === 409, context).toBe(true);
              expect(`${problem?.type}${problem?.title}${problem?.detail}`.length).toBeGreaterThan(
                0,
              );
              if (problem?.type === 'validation-failed') {
                expect(problem.errors?.length, context).toBeGreaterThan(0);
                for (const error of problem.errors ?? [])
                  expect(error.field.startsWith(`items[${index}]`), context).toBe(true);
              } else {
                expect(problem?.type, context).toBe('idempotency-key-reused');
              }
              return;
            }
            expect(['created', 'replayed'], context).toContain(result.outcome);
            expect(typeof result.idempotencyKey, context).toBe('string');
            expect(result.payment?.id, context).toBeTypeOf('string');
            acceptedKeys.add(result.idempotencyKey ?? '');
          });
        },
      ),
    );
  });

  it('POST /payments/void with any body, key and content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .record(
              { orderId: mostly(fc.uuid()), more: fc.oneof(fc.constant(undefined), anyValue) },
              { requiredKeys: [] },
            )
            .map((b) => JSON.stringify(b)),
          anyValue.map((b) => JSON.stringify(b)),
        ),
        fc.oneof(fc.constant(undefined), headerText),
        contentType,
        async (body, key, type) => {
          const response = await send('/payments/void', {
            method: 'POST',
            body,
            contentType: type,
            ...(key === undefined ? {} : { key }),
          });
          if (response.ok && key !== undefined) acceptedKeys.add(key);
          await expectPrecise(response);
        },
      ),
    );
  });

  it('GET /payments/{id}, POST /payments/{id}/refund and GET /payments?orderId= with any values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyString, fc.uuid(), headerText),
        fc.oneof(anyString, fc.uuid()),
        fc.oneof(
          fc.constant(''),
          headerText.map((extra) => `&${encode(extra)}=1`),
        ),
        // Sent as written (a stray % is a malformed URL), or encoded.
        fc.boolean(),
        async (id, orderId, extraQuery, raw) => {
          const encoded = raw ? id.replace(/[/?#\s]/g, '') : encode(id);
          await expectPrecise(await send(`/payments/${encoded}`, {}));
          await expectPrecise(await send(`/payments/${encoded}/refund`, { method: 'POST' }));
          await expectPrecise(await send(`/payments?orderId=${encode(orderId)}${extraQuery}`, {}));
        },
      ),
    );
  });

  it('still answers, and stored a record only for requests it accepted', async () => {
    // A well-formed charge after all of that is taken as usual.
    const response = await api.charge('after-the-storm', chargeBody({ orderId: 'after' }));
    expect(response.status).toBe(201);
    acceptedKeys.add('after-the-storm');
    const { status } = await json<{ status: string }>(response);
    expect(['confirmed', 'declined']).toContain(status);
    const rows = await api.stopAndQuery<{ idempotency_key: string }>(
      sql`select idempotency_key from payments`,
    );
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.filter((r) => !acceptedKeys.has(r.idempotency_key))).toEqual([]);
  });
});
