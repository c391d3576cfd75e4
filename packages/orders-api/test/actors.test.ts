import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { overSocket } from './support/operations.js';
import { Stack, eventually, orderInput, PAYMENTS_NEVER_ANSWER } from './support/stack.js';

const FIELDS = 'id status history { from to actor { kind id } }';
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { ${FIELDS} } }`;
const CANCEL = `mutation Cancel($id: ID!) { cancelOrder(id: $id) { ${FIELDS} } }`;
const GET = `query Get($id: ID!) { order(id: $id) { ${FIELDS} } }`;
const WATCH = `subscription Watch($id: ID!) { orderUpdated(id: $id) { ${FIELDS} } }`;

type Actor = { kind: string; id: string | null };
interface Shown {
  id: string;
  status: string;
  history: { from: string | null; to: string; actor: Actor }[];
}

const actorsOf = (order: Shown | undefined) => order?.history.map((h) => [h.to, h.actor]);

describe('who made each transition, when people act', () => {
  let stack: Stack;
  let aliceToken: string;
  let alice: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
        // Nothing answers payments: only the tests move orders.
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
    aliceToken = await signToken({ sub: 'customer-a' });
    alice = bearer(aliceToken);
    admin = bearer(await signToken({ sub: 'support-1', roles: ['admin'] }));
  });
  afterAll(() => stack.close());

  async function run(query: string, variables: object, headers: Record<string, string>) {
    const result = await stack.gql<Record<string, Shown>>(
      query,
      variables as Record<string, unknown>,
      headers,
    );
    const [value] = Object.values(result.data ?? {});
    if (value === undefined) throw new Error(JSON.stringify(result));
    return value;
  }

  it("records a customer's order as created by that customer, an admin's as by that admin", async () => {
    const mine = await run(CREATE, { input: orderInput() }, alice);
    expect(actorsOf(mine)).toEqual([['CREATED', { kind: 'CUSTOMER', id: 'customer-a' }]]);
    const theirs = await run(CREATE, { input: orderInput() }, admin);
    expect(actorsOf(theirs)).toEqual([['CREATED', { kind: 'ADMIN', id: 'support-1' }]]);
    // What was answered is what is stored.
    expect(await run(GET, { id: mine.id }, alice)).toEqual(mine);
  });

  it('records a cancel as by whoever cancelled: the customer, or an admin', async () => {
    const own = await run(CREATE, { input: orderInput() }, alice);
    const cancelled = await run(CANCEL, { id: own.id }, alice);
    expect(actorsOf(cancelled)).toEqual([
      ['CREATED', { kind: 'CUSTOMER', id: 'customer-a' }],
      ['CANCELLED', { kind: 'CUSTOMER', id: 'customer-a' }],
    ]);

    const other = await run(CREATE, { input: orderInput() }, alice);
    const byAdmin = await run(CANCEL, { id: other.id }, admin);
    expect(actorsOf(byAdmin)).toEqual([
      ['CREATED', { kind: 'CUSTOMER', id: 'customer-a' }],
      ['CANCELLED', { kind: 'ADMIN', id: 'support-1' }],
    ]);
    expect(await run(GET, { id: other.id }, alice)).toEqual(byAdmin);
  });

  it('says the same over WebSocket', async () => {
    const order = await run(CREATE, { input: orderInput() }, alice);
    const byAdmin = await run(CANCEL, { id: order.id }, admin);
    const answer = await overSocket<{ order: Shown }>(
      stack,
      GET,
      { id: order.id },
      { authorization: `Bearer ${aliceToken}` },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.order).toEqual(byAdmin);
    expect(answer.data?.order.history.at(-1)?.actor).toEqual({ kind: 'ADMIN', id: 'support-1' });
  });
});

describe('who made each transition, when the payment provider and the system act', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '1' } });
  });
  afterAll(() => stack.close());

  const read = async (id: string) => (await stack.gql<{ order: Shown }>(GET, { id })).data?.order;

  async function create(paymentToken: string): Promise<Shown> {
    const result = await stack.gql<{ createOrder: Shown }>(CREATE, {
      input: orderInput({ paymentToken }),
    });
    if (result.data === undefined || result.data === null) throw new Error(JSON.stringify(result));
    return result.data.createOrder;
  }

  it('records payment answers as the payment provider and deliveries as the system, without an id', async () => {
    const order = await create('tok_approve');
    const sub = stack.subscribe<{ orderUpdated: Shown }>(WATCH, { id: order.id });
    const delivered = await eventually(
      () => read(order.id),
      (o) => o?.status === 'DELIVERED',
    );
    // Without access control every caller is the demo customer with an admin's view.
    expect(actorsOf(delivered)).toEqual([
      ['CREATED', { kind: 'ADMIN', id: 'demo-customer' }],
      ['CONFIRMED', { kind: 'PAYMENT_PROVIDER', id: null }],
      ['DELIVERED', { kind: 'SYSTEM', id: null }],
    ]);
    // The same over WebSocket, as each event arrives.
    const events = await sub.waitFor((seen) =>
      seen.some((e) => e.orderUpdated.status === 'DELIVERED'),
    );
    sub.stop();
    expect(actorsOf(events.at(-1)?.orderUpdated)).toEqual(actorsOf(delivered));

    const declined = await create('tok_decline');
    const cancelled = await eventually(
      () => read(declined.id),
      (o) => o?.status === 'CANCELLED',
    );
    expect(actorsOf(cancelled)).toEqual([
      ['CREATED', { kind: 'ADMIN', id: 'demo-customer' }],
      ['CANCELLED', { kind: 'PAYMENT_PROVIDER', id: null }],
    ]);
  });
});
