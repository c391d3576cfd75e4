import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('GET /payments?orderId=', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.dispose());

  it('lists the payments of one order and nothing of others', async () => {
    const charge = { amount: 500, currency: 'EUR', paymentToken: 'tok_approve' };
    await api.charge('key-a', { orderId: 'order-a', ...charge });
    await api.charge('key-b', { orderId: 'order-b', ...charge, paymentToken: 'tok_decline' });
    await api.voidKey('key-c', 'order-a');

    const response = await api.request('/payments?orderId=order-a');
    expect(response.status).toBe(200);
    const found = (await response.json()) as { orderId: string; status: string }[];
    expect(found.map((p) => [p.orderId, p.status])).toEqual([
      ['order-a', 'confirmed'],
      ['order-a', 'voided'],
    ]);
    const none = await api.request('/payments?orderId=order-z');
    expect(await none.json()).toEqual([]);
  });

  it('needs the orderId and the token', async () => {
    const missing = await api.request('/payments');
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await missing.json())).toContain('orderId');
    const nul = await api.request('/payments?orderId=%00');
    expect(nul.status).toBe(400);
    const anonymous = await api.request('/payments?orderId=order-a', { authorization: null });
    expect(anonymous.status).toBe(401);
  });
});
