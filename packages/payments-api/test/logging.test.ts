import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chargeBody, startTestApi, TEST_TOKEN, type TestApi } from './support/test-api.js';

const lines: string[] = [];
let api: TestApi;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  api = await startTestApi({ LOG_LEVEL: 'trace' }, destination);
});

afterAll(async () => {
  await api.dispose();
});

it('logs requests without the bearer token or the payment token', async () => {
  const token = 'tok_card_never_logged_4242';
  expect((await api.charge('logged', chargeBody({ paymentToken: token }))).status).toBe(201);
  const rejected = await api.charge('logged-bad', chargeBody({ paymentToken: token, amount: -1 }));
  expect(rejected.status).toBe(400);
  const unauthorized = await api.request('/payments', {
    method: 'POST',
    authorization: 'Bearer wrong-token-never-logged',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
    body: JSON.stringify(chargeBody({ paymentToken: token })),
  });
  expect(unauthorized.status).toBe(401);

  const output = lines.join('');
  expect(output).toContain('request completed');
  expect(output).not.toContain(token);
  expect(output).not.toContain(TEST_TOKEN);
  expect(output).not.toContain('wrong-token-never-logged');
});
