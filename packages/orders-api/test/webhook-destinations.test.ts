import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, startOrdersApi, type OrdersApi } from '../src/app.js';
import { CREATE_ORDER, eventually, orderInput, ordersEnv, postGraphQL } from './support/stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { createEndpoint, deliveriesOf, refusal, UPDATE_ENDPOINT } from './support/webhooks.js';

/**
 * orders-api on its own database, with nothing answering for payments (orders stay CREATED, so
 * the only events are the ones a test causes), private networks allowed or not.
 */
async function start(db: TestDatabase, allowPrivate: boolean): Promise<OrdersApi> {
  return startOrdersApi(
    loadSettings(
      ordersEnv(db, 'http://127.0.0.1:1', {
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS: String(allowPrivate),
        WEBHOOKS_RETRY_BASE_SECONDS: '0.05',
        PAYMENT_RETRY_BASE_MS: '60000',
        PAYMENT_MAX_ATTEMPTS: '100',
      }),
    ),
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );
}

describe('webhook destinations with private networks refused', () => {
  let db: TestDatabase;
  let api: OrdersApi | undefined;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await api?.close();
    await receiver.close();
    await db.dispose();
  });

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => {
    if (api === undefined) throw new Error('not started');
    return postGraphQL<T>(api.url, query, variables);
  };

  it('refuses every internal kind of destination when an endpoint is saved, naming input.url', async () => {
    api = await start(db, false);
    const refused = [
      'ftp://example.com/hooks',
      'file:///etc/passwd',
      'http://127.0.0.1:8080/hooks',
      'http://127.1/hooks',
      'http://2130706433/hooks',
      'http://[::1]/hooks',
      'http://[::ffff:127.0.0.1]/hooks',
      'http://0.0.0.0/hooks',
      'http://10.1.2.3/hooks',
      'http://172.16.0.5/hooks',
      'https://192.168.1.10/hooks',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/hooks',
      'http://100.64.0.1/hooks',
      'http://[fd00::1]/hooks',
      'http://[fc00::abcd]/hooks',
      'http://224.0.0.1/hooks',
      'http://localhost:8080/hooks',
    ];
    for (const url of refused) {
      const result = await gql(
        `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
        { input: { url } },
      );
      expect(refusal(result), url).toEqual({ code: 'BAD_USER_INPUT', field: 'input.url' });
    }
    const listed = await gql<{ webhookEndpoints: unknown[] }>(`query { webhookEndpoints { id } }`);
    expect(listed.data?.webhookEndpoints).toEqual([]);
    // A public address is taken (nothing is sent to it: no order changes here).
    const { endpoint } = await createEndpoint(gql, { url: 'https://93.184.215.14/hooks' });
    const update = await gql(UPDATE_ENDPOINT, {
      id: endpoint.id,
      input: { url: 'http://[::1]:9/hooks' },
    });
    expect(refusal(update)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.url' });
    await gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    await api.close();
    api = undefined;
  });

  it('refuses at send time a host name that resolves to loopback, and sends it nothing', async () => {
    // Saved while private networks were allowed (or while the name resolved elsewhere)...
    api = await start(db, true);
    const url = `http://localhost:${String(receiver.port)}/hooks`;
    const { endpoint } = await createEndpoint(gql, { url, events: ['CREATED'] });
    await api.close();
    // ...and sent by a process that refuses them: resolved when sending, and refused.
    api = await start(db, false);
    const created = await gql<{ createOrder: { id: string } }>(CREATE_ORDER, {
      input: orderInput(),
    });
    expect(created.errors).toBeUndefined();
    const listed = await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (e) => (e.deliveries.edges[0]?.node.attempts ?? 0) >= 2,
    );
    const delivery = listed.deliveries.edges[0]?.node;
    expect(delivery?.status).toBe('PENDING');
    expect(delivery?.lastError).toMatch(
      /destination refused: localhost: (127\.0\.0\.1|::1) is a loopback address/,
    );
    expect(delivery?.lastStatusCode).toBeNull();
    expect(listed.status).toBe('FAILING');
    expect(receiver.received).toEqual([]);
  });
});
