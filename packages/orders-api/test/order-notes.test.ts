import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import type { DatabaseHandle, SqlClient } from '@oms/database';
import { graphql, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrdersService } from '../src/domain/orders.service.js';
import type { Principal } from '../src/domain/principal.js';
import { buildOrdersSchema } from '../src/graphql/schema.js';
import { ordersPersistence } from '../src/persistence/orders-persistence.js';
import type { OrdersSchema } from '../src/persistence/schema.js';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { overSocket } from './support/operations.js';
import { openOrdersDatabase } from './support/orders-database.js';
import { Stack, orderInput, PAYMENTS_NEVER_ANSWER } from './support/stack.js';

const NOTE = 'id text visibility author { kind id } createdAt';
const ADD = `mutation Add($orderId: ID!, $text: String!, $visibility: NoteVisibility) {
  addOrderNote(orderId: $orderId, text: $text, visibility: $visibility) { ${NOTE} }
}`;
const NOTES = `query Notes($id: ID!) { order(id: $id) { id notes { ${NOTE} } } }`;
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id notes { id } } }`;

interface Note {
  id: string;
  text: string;
  visibility: 'PUBLIC' | 'INTERNAL';
  author: { kind: string; id: string | null };
  createdAt: string;
}

describe('notes on orders', () => {
  let stack: Stack;
  let aliceToken: string;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
    aliceToken = await signToken({ sub: 'customer-a' });
    alice = bearer(aliceToken);
    bob = bearer(await signToken({ sub: 'customer-b' }));
    admin = bearer(await signToken({ sub: 'support-1', roles: ['admin'] }));
  });
  afterAll(() => stack.close());

  async function createFor(headers: Record<string, string>): Promise<string> {
    const result = await stack.gql<{ createOrder: { id: string; notes: unknown[] } }>(
      CREATE,
      { input: orderInput() },
      headers,
    );
    expect(result.data?.createOrder.notes).toEqual([]);
    const id = result.data?.createOrder.id;
    if (id === undefined) throw new Error(JSON.stringify(result));
    return id;
  }
  const add = (headers: Record<string, string>, variables: Record<string, unknown>) =>
    stack.gql<{ addOrderNote: Note }>(ADD, variables, headers);
  async function notesOf(headers: Record<string, string>, id: string): Promise<Note[]> {
    const result = await stack.gql<{ order: { notes: Note[] } | null }>(NOTES, { id }, headers);
    if (result.data?.order == null) throw new Error(JSON.stringify(result));
    return result.data.order.notes;
  }

  it('lets a customer add a PUBLIC note to their own order, trimmed, PUBLIC by default', async () => {
    const id = await createFor(alice);
    const added = await add(alice, { orderId: id, text: '  Please leave it at the door \n' });
    expect(added.errors).toBeUndefined();
    const note = added.data?.addOrderNote;
    expect(note).toMatchObject({
      text: 'Please leave it at the door',
      visibility: 'PUBLIC',
      author: { kind: 'CUSTOMER', id: 'customer-a' },
    });
    expect(Date.parse(note?.createdAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(await notesOf(alice, id)).toEqual([note]);
    expect(await notesOf(admin, id)).toEqual([note]);
  });

  it('shows INTERNAL notes to admins only, every note oldest first', async () => {
    const id = await createFor(alice);
    const texts = ['first (customer)', 'second (internal)', 'third (admin, public)', 'fourth'];
    const first = await add(alice, { orderId: id, text: texts[0] });
    const second = await add(admin, { orderId: id, text: texts[1], visibility: 'INTERNAL' });
    const third = await add(admin, { orderId: id, text: texts[2], visibility: 'PUBLIC' });
    const fourth = await add(alice, { orderId: id, text: texts[3], visibility: 'PUBLIC' });
    const all = [first, second, third, fourth].map((r) => r.data?.addOrderNote);
    expect(all[1]).toMatchObject({
      visibility: 'INTERNAL',
      author: { kind: 'ADMIN', id: 'support-1' },
    });
    expect(await notesOf(admin, id)).toEqual(all);
    expect(await notesOf(alice, id)).toEqual([all[0], all[2], all[3]]);
  });

  it('refuses an INTERNAL note from a customer with FORBIDDEN naming visibility, storing nothing', async () => {
    const id = await createFor(alice);
    const refused = await add(alice, { orderId: id, text: 'secret', visibility: 'INTERNAL' });
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      field: 'visibility',
    });
    expect(await notesOf(admin, id)).toEqual([]);
  });

  it("answers a note on another customer's order exactly as on an order that does not exist", async () => {
    const id = await createFor(alice);
    const missing = '01900000-0000-7000-8000-000000000000';
    const theirs = await add(bob, { orderId: id, text: 'hello' });
    const none = await add(bob, { orderId: missing, text: 'hello' });
    expect(theirs.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', id });
    expect(none.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', id: missing });
    expect(theirs.errors?.[0]?.message.replace(id, '?')).toBe(
      none.errors?.[0]?.message.replace(missing, '?'),
    );
    expect(await notesOf(admin, id)).toEqual([]);
  });

  it('wants text of 1 to 2,000 characters once trimmed, and an order id, naming the field', async () => {
    const id = await createFor(alice);
    for (const text of ['', '   \n\t', 'x'.repeat(2_001)]) {
      const answer = await add(alice, { orderId: id, text });
      expect(answer.errors?.[0]?.extensions, JSON.stringify(text)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'text',
      });
    }
    const badId = await add(alice, { orderId: 'not-an-id', text: 'hello' });
    expect(badId.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'orderId',
    });
    expect(await notesOf(admin, id)).toEqual([]);
    const longest = await add(alice, { orderId: id, text: ` ${'x'.repeat(2_000)} ` });
    expect(longest.data?.addOrderNote.text).toHaveLength(2_000);
  });

  it('adds and reads notes over WebSocket too', async () => {
    const id = await createFor(alice);
    const params = { authorization: `Bearer ${aliceToken}` };
    const added = await overSocket<{ addOrderNote: Note }>(
      stack,
      ADD,
      { orderId: id, text: 'over the socket' },
      params,
    );
    expect(added.errors).toEqual([]);
    expect(added.data?.addOrderNote).toMatchObject({
      text: 'over the socket',
      visibility: 'PUBLIC',
    });
    const read = await overSocket<{ order: { notes: Note[] } }>(stack, NOTES, { id }, params);
    expect(read.data?.order.notes).toEqual([added.data?.addOrderNote]);
  });
});

describe('notes of a page of orders', () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle<OrdersSchema>;
  let schema: GraphQLSchema;
  const statements: string[] = [];
  let service: OrdersService;
  const admin: Principal = { customerId: 'support-1', admin: true };
  const customer: Principal = { customerId: 'customer-a', admin: false };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = await openOrdersDatabase(testDb);
    const client: SqlClient = {
      query(text, params) {
        statements.push(text);
        return handle.query(text, params);
      },
    };
    const store = ordersPersistence(client, { delays: { deliveryDelay: 0 } });
    service = new OrdersService({
      repository: store.repository,
      cancellation: store.transitions,
      notes: store.notes,
    });
    schema = await buildOrdersSchema();
  });
  afterAll(async () => {
    await handle.close();
    await testDb.dispose();
  });

  it('reads the notes of every order on a page with one statement', async () => {
    const items = [{ sku: 'S', name: 'N', quantity: 1, unitPrice: 100 }];
    const orders = await Promise.all(
      Array.from({ length: 8 }, () => service.createOrder(customer, { items })),
    );
    for (const [i, order] of orders.entries()) {
      await service.addNote(customer, order.id, `note ${i}`, null);
      await service.addNote(admin, order.id, `internal ${i}`, 'INTERNAL');
    }
    const run = async (principal: Principal) => {
      statements.length = 0;
      const result = await graphql({
        schema,
        source: '{ orders(first: 20) { edges { node { id notes { text } } } } }',
        contextValue: { orders: service, principal },
      });
      expect(result.errors).toBeUndefined();
      return result.data as {
        orders: { edges: { node: { id: string; notes: { text: string }[] } }[] };
      };
    };
    const asAdmin = await run(admin);
    expect(statements.filter((s) => s.includes('from order_notes'))).toHaveLength(1);
    const byId = new Map(asAdmin.orders.edges.map((e) => [e.node.id, e.node.notes]));
    orders.forEach((order, i) => {
      expect(byId.get(order.id)).toEqual([{ text: `note ${i}` }, { text: `internal ${i}` }]);
    });
    const asCustomer = await run(customer);
    expect(statements.filter((s) => s.includes('from order_notes'))).toHaveLength(1);
    for (const edge of asCustomer.orders.edges) {
      expect(edge.node.notes.map((n) => n.text)).toEqual([expect.stringMatching(/^note \d$/)]);
    }
  });
});
