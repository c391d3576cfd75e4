import { rm } from 'node:fs/promises';
import { queryRows, sql } from '@oms/database';
import { createTestDatabase } from '@oms/database/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrderId } from '../src/domain/order-ids.js';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { overSocket } from './support/operations.js';
import {
  ORDERS_MIGRATIONS,
  migrationsBefore,
  openMigratedWith,
} from './support/orders-database.js';
import { Stack, orderInput, PAYMENTS_NEVER_ANSWER } from './support/stack.js';

const FIELDS = `id number version customerId
  customer { name email }
  shippingAddress { line1 line2 city postalCode region country }`;
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { ${FIELDS} } }`;
const BY_NUMBER = `query ByNumber($number: Int!) { orderByNumber(number: $number) { ${FIELDS} } }`;
const BY_ID = `query ById($id: ID!) { order(id: $id) { ${FIELDS} } }`;
const LIST = `query List($first: Int) { orders(first: $first) { edges { node { ${FIELDS} } } } }`;

interface Shown {
  id: string;
  number: number;
  version: number;
  customerId: string;
  customer: { name: string; email: string } | null;
  shippingAddress: {
    line1: string;
    line2: string | null;
    city: string;
    postalCode: string;
    region: string | null;
    country: string;
  } | null;
}

const customer = { name: 'Ada Lovelace', email: 'ada@example.com' };
const address = {
  line1: '12 Analytical Row',
  line2: 'Flat 3',
  city: 'London',
  postalCode: 'N1 9GU',
  region: null,
  country: 'GB',
};

describe('order numbers, customers and shipping addresses', () => {
  let stack: Stack;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let admin: Record<string, string>;
  let aliceToken: string;

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
        // Nothing answers there: orders stay CREATED, so nothing but the tests changes them.
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
    aliceToken = await signToken({ sub: 'customer-a' });
    alice = bearer(aliceToken);
    bob = bearer(await signToken({ sub: 'customer-b' }));
    admin = bearer(await signToken({ sub: 'support-1', roles: ['admin'] }));
  });
  afterAll(() => stack.close());

  async function create(
    headers: Record<string, string>,
    overrides: Record<string, unknown> = {},
  ): Promise<Shown> {
    const result = await stack.gql<{ createOrder: Shown }>(
      CREATE,
      { input: orderInput(overrides) },
      headers,
    );
    if (result.data?.createOrder === undefined) {
      throw new Error(`createOrder failed: ${JSON.stringify(result.errors)}`);
    }
    return result.data.createOrder;
  }

  async function listed(headers: Record<string, string>): Promise<Shown[]> {
    const result = await stack.gql<{ orders: { edges: { node: Shown }[] } }>(
      LIST,
      { first: 100 },
      headers,
    );
    if (result.data === undefined || result.data === null) {
      throw new Error(`orders failed: ${JSON.stringify(result)}`);
    }
    return result.data.orders.edges.map((e) => e.node);
  }

  it('numbers orders from 1001, one after another, each number once, also when made together', async () => {
    const first = await create(alice);
    expect(first.number).toBe(1001);
    expect(first.version).toBe(1);
    const second = await create(bob);
    expect(second.number).toBe(1002);
    const together = await Promise.all(
      Array.from({ length: 24 }, (_, i) => create(i % 2 === 0 ? alice : bob)),
    );
    const numbers = together.map((o) => o.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 24 }, (_, i) => 1003 + i));
    // An order made after those has a higher number than all of them. (Orders made at the same
    // moment by concurrent statements are numbered in the order each statement ran.)
    const after = await create(alice);
    expect(after.number).toBe(1027);
    const all = await listed(admin);
    // What was answered at creation is what is read back.
    for (const order of together) {
      expect(all.find((o) => o.id === order.id)).toEqual(order);
    }
  });

  it('keeps the customer and the shipping address given at creation, and none when none was given', async () => {
    const made = await create(alice, { customer, shippingAddress: address });
    expect(made.customer).toEqual(customer);
    expect(made.shippingAddress).toEqual(address);
    const read = await stack.gql<{ order: Shown }>(BY_ID, { id: made.id }, alice);
    expect(read.data?.order).toEqual(made);

    // Optional lines left out or left empty are absent.
    const { line2: _line2, region: _region, ...required } = address;
    const plain = await create(alice, {
      shippingAddress: { ...required, line2: '', region: '  ' },
    });
    expect(plain.shippingAddress).toEqual({ ...required, line2: null, region: null });
    const bare = await create(alice);
    expect(bare).toMatchObject({ customer: null, shippingAddress: null });
  });

  it('finds an order by its number, for its customer and for admins, over HTTP and WebSocket', async () => {
    const made = await create(alice, { customer });
    const mine = await stack.gql<{ orderByNumber: Shown | null }>(
      BY_NUMBER,
      { number: made.number },
      alice,
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.orderByNumber).toEqual(made);
    const asAdmin = await stack.gql<{ orderByNumber: Shown | null }>(
      BY_NUMBER,
      { number: made.number },
      admin,
    );
    expect(asAdmin.data?.orderByNumber).toEqual(made);

    const socket = await overSocket<{ orderByNumber: Shown | null }>(
      stack,
      BY_NUMBER,
      { number: made.number },
      { authorization: `Bearer ${aliceToken}` },
    );
    expect(socket.errors).toEqual([]);
    expect(socket.data?.orderByNumber).toEqual(made);
  });

  it("answers another customer's number exactly as a number never issued: null, no error", async () => {
    const made = await create(alice);
    const theirs = await stack.gql<{ orderByNumber: Shown | null }>(
      BY_NUMBER,
      { number: made.number },
      bob,
    );
    const never = await stack.gql<{ orderByNumber: Shown | null }>(
      BY_NUMBER,
      { number: 999_999 },
      bob,
    );
    expect(theirs).toEqual({ status: 200, data: { orderByNumber: null } });
    expect(theirs).toEqual(never);
    // And as order(id) answers the same order.
    const byId = await stack.gql<{ order: Shown | null }>(BY_ID, { id: made.id }, bob);
    expect(byId).toEqual({ status: 200, data: { order: null } });
    const below = await stack.gql<{ orderByNumber: Shown | null }>(BY_NUMBER, { number: -1 }, bob);
    expect(below).toEqual({ status: 200, data: { orderByNumber: null } });
  });

  it('refuses a bad customer or address with BAD_USER_INPUT naming each field, and stores nothing', async () => {
    const before = await listed(alice);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ customer: { name: '', email: 'ada@example.com' } }, ['input.customer.name']],
      [{ customer: { ...customer, email: 'not an address' } }, ['input.customer.email']],
      [
        { customer: { name: 'n'.repeat(201), email: `${'e'.repeat(250)}@x.io` } },
        ['input.customer.name', 'input.customer.email'],
      ],
      [{ shippingAddress: { ...address, country: 'XX' } }, ['input.shippingAddress.country']],
      [{ shippingAddress: { ...address, country: 'gb' } }, ['input.shippingAddress.country']],
      [
        { shippingAddress: { ...address, postalCode: 'p'.repeat(21), line1: 'l'.repeat(201) } },
        ['input.shippingAddress.line1', 'input.shippingAddress.postalCode'],
      ],
      [
        { shippingAddress: { ...address, region: 'r'.repeat(201), city: ' ' } },
        ['input.shippingAddress.city', 'input.shippingAddress.region'],
      ],
    ];
    for (const [overrides, fields] of cases) {
      const result = await stack.gql(CREATE, { input: orderInput(overrides) }, alice);
      const error = result.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(overrides)).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.field).toBe(fields[0]);
      expect(
        (error?.extensions?.fields as { field: string }[] | undefined)?.map((f) => f.field),
      ).toEqual(fields);
      expect(result.data ?? null).toBeNull();
    }
    expect(await listed(alice)).toEqual(before);
  });
});

describe('migration 0005', () => {
  it('numbers existing orders in creation order and gives their history actors', async () => {
    // The migrations as they were before 0005.
    const before = await migrationsBefore(5);
    const testDb = await createTestDatabase();
    const open = (migrationsFolder: string) => openMigratedWith(testDb, migrationsFolder);
    try {
      const old = await open(before);
      // Written newest first, so storage order is not creation order.
      const ids = [newOrderId(), newOrderId(), newOrderId()];
      const created = ['2026-01-03T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'];
      for (const [i, id] of ids.entries()) {
        const at = created[i] ?? '';
        await old.db.execute(
          sql`insert into orders (id, status, currency, total, customer_id, created_at, updated_at,
                                  version, cancellation_reason)
              values (${id}, ${i === 0 ? 'CANCELLED' : 'CREATED'}, 'EUR', 100, ${`customer-${i}`},
                      ${at}, ${at}, ${i === 0 ? 2 : 1}, ${i === 0 ? 'CUSTOMER_REQUEST' : null})`,
        );
        await old.db.execute(
          sql`insert into order_transitions (order_id, seq, from_status, to_status, at)
              values (${id}, 1, null, 'CREATED', ${at})`,
        );
      }
      const firstId = ids[0] ?? '';
      await old.db.execute(
        sql`insert into order_transitions (order_id, seq, from_status, to_status, reason, at)
            values (${firstId}, 2, 'CREATED', 'CANCELLED', 'CUSTOMER_REQUEST', now())`,
      );
      await old.close();

      const migrated = await open(ORDERS_MIGRATIONS);
      try {
        const numbers = await queryRows<{ id: string; number: number }>(
          migrated.db,
          sql`select id, number from orders order by created_at`,
        );
        expect(numbers).toEqual([
          { id: ids[2], number: 1001 },
          { id: ids[1], number: 1002 },
          { id: ids[0], number: 1003 },
        ]);
        const actors = await queryRows<{
          seq: number;
          actor_kind: string;
          actor_id: string | null;
        }>(
          migrated.db,
          sql`select seq, actor_kind, actor_id from order_transitions
              where order_id = ${firstId} order by seq`,
        );
        expect(actors).toEqual([
          { seq: 1, actor_kind: 'CUSTOMER', actor_id: 'customer-0' },
          { seq: 2, actor_kind: 'SYSTEM', actor_id: null },
        ]);
        // New orders continue after the existing ones.
        const next = await queryRows<{ number: number }>(
          migrated.db,
          sql`insert into orders (id, status, currency, total) values (${newOrderId()}, 'CREATED', 'EUR', 1)
              returning number`,
        );
        expect(next).toEqual([{ number: 1004 }]);
        // And a transition must say who made it.
        await expect(
          migrated.db.execute(
            sql`insert into order_transitions (order_id, seq, from_status, to_status, at)
                values (${firstId}, 3, 'CANCELLED', 'CANCELLED', now())`,
          ),
        ).rejects.toThrow();
      } finally {
        await migrated.close();
      }
    } finally {
      await testDb.dispose();
      await rm(before, { recursive: true, force: true });
    }
  });
});
