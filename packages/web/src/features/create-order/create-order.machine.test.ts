// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import type { CreateOrderInput, Order } from '../../lib/graphql/order.types.js';
import { createOrderMachine } from './create-order.machine.js';
import type { LineField } from './order-form.js';
import { orderFixture } from '../../lib/graphql/order.fixtures.js';

function orderFrom(input: CreateOrderInput): Order {
  return orderFixture(['CREATED'], {
    id: '7b0c5d0e-3f6a-4d7e-9a51-0d2f3c4b5a69',
    total: input.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0),
    currency: input.currency ?? 'USD',
    items: input.items,
  });
}

/**
 * The real machine with only the network swapped: `answer` decides what the server says to
 * each attempt; every call is recorded, as is every order the machine reports created.
 */
function start(answer: (input: CreateOrderInput, attempt: number) => Promise<Order>) {
  const calls: CreateOrderInput[] = [];
  const created: Order[] = [];
  const actor = createActor(
    createOrderMachine.provide({
      actors: {
        submitOrder: fromPromise<Order, CreateOrderInput>(({ input }) => {
          calls.push(input);
          return answer(input, calls.length);
        }),
      },
      actions: { orderCreated: (_, order) => created.push(order) },
    }),
    { input: { idempotencyKey: 'key-123' } },
  );
  actor.start();
  const firstKey = () => actor.getSnapshot().context.draft.lines[0]?.key ?? 'none';
  const edit = (key: string, field: LineField, value: string) => {
    actor.send({ type: 'EDIT_LINE', key, field, value });
  };
  const fill = (key: string, values: Record<LineField, string>) => {
    for (const [field, value] of Object.entries(values)) edit(key, field as LineField, value);
  };
  return { actor, calls, created, firstKey, edit, fill };
}

/** Rejects the way the page's actor does: with the API's problems, not an Error. */
function refuse(problems: ApiProblem[]): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  return Promise.reject(problems);
}

const neverCalled = () => Promise.reject(new Error('submitOrder must not be called'));
const widget = { sku: 'SKU-1', name: 'Widget', quantity: '2', unitPrice: '12.50' };

describe('create order machine: editing', () => {
  it('starts with one empty line, USD and a random payment outcome', () => {
    const { actor } = start(neverCalled);
    const { draft, errors, problem } = actor.getSnapshot().context;
    expect(actor.getSnapshot().value).toBe('editing');
    expect(draft.lines).toHaveLength(1);
    expect(draft.lines[0]).toMatchObject({ sku: '', name: '', quantity: '1', unitPrice: '' });
    expect(draft.currency).toBe('USD');
    expect(draft.payment).toBe('random');
    expect(errors).toEqual({});
    expect(problem).toBeNull();
  });

  it('adds lines with keys of their own and removes the one asked for', () => {
    const { actor, edit, firstKey } = start(neverCalled);
    actor.send({ type: 'ADD_LINE' });
    actor.send({ type: 'ADD_LINE' });
    const keys = actor.getSnapshot().context.draft.lines.map((l) => l.key);
    expect(new Set(keys).size).toBe(3);
    const [first, second, third] = keys as [string, string, string];
    edit(first, 'sku', 'A');
    edit(second, 'sku', 'B');
    edit(third, 'sku', 'C');

    actor.send({ type: 'REMOVE_LINE', key: second });
    expect(actor.getSnapshot().context.draft.lines.map((l) => l.sku)).toEqual(['A', 'C']);
    // A line added after a removal never reuses a key still in use.
    actor.send({ type: 'ADD_LINE' });
    const after = actor.getSnapshot().context.draft.lines.map((l) => l.key);
    expect(new Set(after).size).toBe(3);
    expect(firstKey()).toBe(first);
  });

  it('cannot remove the last line', () => {
    const { actor, firstKey, edit } = start(neverCalled);
    edit(firstKey(), 'sku', 'KEEP');
    actor.send({ type: 'REMOVE_LINE', key: firstKey() });
    expect(actor.getSnapshot().context.draft.lines.map((l) => l.sku)).toEqual(['KEEP']);

    actor.send({ type: 'ADD_LINE' });
    actor.send({ type: 'REMOVE_LINE', key: firstKey() });
    actor.send({ type: 'REMOVE_LINE', key: firstKey() });
    expect(actor.getSnapshot().context.draft.lines).toHaveLength(1);
  });

  it('edits only the field and line named', () => {
    const { actor, edit, firstKey } = start(neverCalled);
    actor.send({ type: 'ADD_LINE' });
    edit(firstKey(), 'unitPrice', '9.99');
    actor.send({ type: 'SET_CURRENCY', currency: 'EUR' });
    actor.send({ type: 'SET_PAYMENT', payment: 'decline' });
    const { draft } = actor.getSnapshot().context;
    expect(draft.lines.map((l) => l.unitPrice)).toEqual(['9.99', '']);
    expect(draft.currency).toBe('EUR');
    expect(draft.payment).toBe('decline');
  });

  it('shows no errors while the user has not tried to submit', () => {
    const { actor, edit, firstKey } = start(neverCalled);
    edit(firstKey(), 'quantity', 'lots');
    edit(firstKey(), 'unitPrice', 'abc');
    actor.send({ type: 'ADD_LINE' });
    expect(actor.getSnapshot().context.errors).toEqual({});
  });
});

describe('create order machine: submitting', () => {
  it('keeps an invalid form in editing, shows every error and sends nothing', () => {
    const { actor, calls, edit, firstKey } = start(neverCalled);
    edit(firstKey(), 'quantity', '10001');
    actor.send({ type: 'SUBMIT' });
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('editing');
    expect(snapshot.context.errors).toEqual({
      'items[0].sku': 'SKU is required',
      'items[0].name': 'Name is required',
      'items[0].quantity': 'Quantity must be between 1 and 10000',
      'items[0].unitPrice': 'Unit price is required',
    });
    actor.send({ type: 'SUBMIT' });
    expect(calls).toEqual([]);
  });

  it('after a failed submit, errors follow every edit', () => {
    const { actor, edit, firstKey } = start(neverCalled);
    actor.send({ type: 'SUBMIT' });
    const key = firstKey();
    const errors = () => Object.keys(actor.getSnapshot().context.errors);

    edit(key, 'sku', 'SKU-1');
    expect(errors()).not.toContain('items[0].sku');
    edit(key, 'sku', ' ');
    expect(actor.getSnapshot().context.errors['items[0].sku']).toBe('SKU is required');

    edit(key, 'name', 'Widget');
    edit(key, 'sku', 'SKU-1');
    edit(key, 'unitPrice', '12.5');
    expect(errors()).toEqual([]);

    // Switching to a currency without decimals makes the typed price wrong.
    actor.send({ type: 'SET_CURRENCY', currency: 'JPY' });
    expect(errors()).toEqual(['items[0].unitPrice']);
  });

  it("moves a line's errors with it when an earlier line is removed", () => {
    const { actor, fill, firstKey } = start(neverCalled);
    fill(firstKey(), widget);
    actor.send({ type: 'ADD_LINE' });
    actor.send({ type: 'SUBMIT' });
    expect(Object.keys(actor.getSnapshot().context.errors)).toContain('items[1].sku');

    actor.send({ type: 'REMOVE_LINE', key: firstKey() });
    const { errors } = actor.getSnapshot().context;
    expect(errors['items[0].sku']).toBe('SKU is required');
    expect(Object.keys(errors).some((f) => f.startsWith('items[1]'))).toBe(false);
  });

  it('sends a valid order once, in minor units, with the idempotency key and payment token', async () => {
    const { actor, calls, created, fill, firstKey } = start((input) =>
      Promise.resolve(orderFrom(input)),
    );
    fill(firstKey(), widget);
    actor.send({ type: 'ADD_LINE' });
    const second = actor.getSnapshot().context.draft.lines[1]?.key ?? 'none';
    fill(second, { sku: ' SKU-2 ', name: 'Gadget', quantity: '1', unitPrice: '0,29' });
    actor.send({ type: 'SET_PAYMENT', payment: 'approve' });
    actor.send({ type: 'SUBMIT' });
    expect(actor.getSnapshot().value).toBe('submitting');
    // A second click while the first is on its way places no second order.
    actor.send({ type: 'SUBMIT' });

    const done = await waitFor(actor, (s) => s.status === 'done');
    expect(calls).toEqual([
      {
        items: [
          { sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 },
          { sku: 'SKU-2', name: 'Gadget', quantity: 1, unitPrice: 29 },
        ],
        currency: 'USD',
        paymentToken: 'tok_approve',
        idempotencyKey: 'key-123',
      },
    ]);
    expect(done.value).toBe('created');
    expect(created).toHaveLength(1);
    expect(created[0]?.total).toBe(2 * 1250 + 29);
    expect(done.context.created).toEqual(created[0]);
  });

  it('puts the server’s field refusals next to the fields they name', async () => {
    const refusal: ApiProblem[] = [
      {
        code: 'BAD_USER_INPUT',
        field: 'input.items[0].quantity',
        message: 'must be between 1 and 10000',
      },
      { code: 'BAD_USER_INPUT', field: 'input.currency', message: 'is not supported' },
    ];
    const { actor, created, fill, firstKey } = start(() => refuse(refusal));
    fill(firstKey(), widget);
    actor.send({ type: 'SUBMIT' });

    const after = await waitFor(actor, (s) => s.matches('editing'));
    expect(after.context.errors).toEqual({
      'items[0].quantity': 'Quantity must be between 1 and 10000',
      currency: 'Currency is not supported',
    });
    expect(after.context.problem).toMatchObject({ message: 'Please fix the highlighted fields.' });
    expect(created).toEqual([]);
  });

  it('drops the "fix the highlighted fields" notice once the user edits the fields', async () => {
    const refusal: ApiProblem[] = [
      { code: 'BAD_USER_INPUT', field: 'input.items[0].sku', message: 'must not be blank' },
    ];
    const { actor, edit, fill, firstKey } = start(() => refuse(refusal));
    fill(firstKey(), widget);
    actor.send({ type: 'SUBMIT' });
    await waitFor(actor, (s) => s.matches('editing') && s.context.problem !== null);

    edit(firstKey(), 'sku', 'SKU-9');
    const { errors, problem } = actor.getSnapshot().context;
    // Nothing is highlighted any more, so nothing may ask the user to fix highlighted fields.
    expect(errors).toEqual({});
    expect(problem).toBeNull();
  });

  it('shows a refusal that names no field of the form above it', async () => {
    const network: ApiProblem[] = [
      { code: 'NETWORK', message: 'Could not reach the orders service.' },
    ];
    const { actor, fill, firstKey } = start(() => refuse(network));
    fill(firstKey(), widget);
    actor.send({ type: 'SUBMIT' });

    const after = await waitFor(actor, (s) => s.matches('editing'));
    expect(after.context.problem).toEqual(network[0]);
    expect(after.context.errors).toEqual({});
    // What the user typed is still there to retry with.
    expect(after.context.draft.lines[0]).toMatchObject(widget);
  });

  it("keeps the server's words and the order it names when the key was used for another order", async () => {
    const reused: ApiProblem = {
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'input.idempotencyKey',
      message: 'This idempotency key was already used for a different order',
      orderId: '0b5e2c1a-9d8f-4e7a-b6c5-d4e3f2a1b0c9',
    };
    const { actor, fill, firstKey } = start(() => refuse([reused]));
    fill(firstKey(), widget);
    actor.send({ type: 'SUBMIT' });
    const after = await waitFor(actor, (s) => s.matches('editing') && s.context.problem !== null);
    // The form has no idempotency key field: nothing is highlighted, the notice says why.
    expect(after.context.errors).toEqual({});
    expect(after.context.problem).toEqual(reused);
  });

  it('shows a general message when the failure is not a list of problems', async () => {
    const { actor, fill, firstKey } = start(() => Promise.reject(new Error('boom')));
    fill(firstKey(), widget);
    actor.send({ type: 'SUBMIT' });
    const after = await waitFor(actor, (s) => s.matches('editing'));
    expect(after.context.problem?.message).toMatch(/could not be placed/);
  });

  it('retries with the same idempotency key, so a lost answer places no second order', async () => {
    const { actor, calls, created, fill, firstKey } = start((input, attempt) =>
      attempt === 1
        ? refuse([{ code: 'NETWORK', message: 'offline' }])
        : Promise.resolve(orderFrom(input)),
    );
    fill(firstKey(), widget);
    actor.send({ type: 'SUBMIT' });
    await waitFor(actor, (s) => s.matches('editing') && s.context.problem !== null);

    actor.send({ type: 'SUBMIT' });
    // The problem of the last attempt is gone while the new one runs.
    expect(actor.getSnapshot().context.problem).toBeNull();
    await waitFor(actor, (s) => s.status === 'done');
    expect(calls.map((c) => c.idempotencyKey)).toEqual(['key-123', 'key-123']);
    expect(calls[1]).toEqual(calls[0]);
    expect(created).toHaveLength(1);
  });
});

describe('create order machine: customer and shipping address', () => {
  const berlin = {
    line1: 'Unter den Linden 1',
    city: 'Berlin',
    postalCode: '10117',
    country: 'DE',
  } as const;

  it('sends the groups filled in, and none that was left empty', async () => {
    const { actor, calls, fill, firstKey } = start((input) => Promise.resolve(orderFrom(input)));
    fill(firstKey(), widget);
    actor.send({ type: 'EDIT_CUSTOMER', field: 'name', value: 'Ada Lovelace' });
    actor.send({ type: 'EDIT_CUSTOMER', field: 'email', value: 'ada@example.com' });
    actor.send({ type: 'SUBMIT' });
    await waitFor(actor, (s) => s.status === 'done');
    expect(calls[0]?.customer).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(calls[0] !== undefined && 'shippingAddress' in calls[0]).toBe(false);
  });

  it('sends an address with its optional lines null when blank', async () => {
    const { actor, calls, fill, firstKey } = start((input) => Promise.resolve(orderFrom(input)));
    fill(firstKey(), widget);
    for (const [field, value] of Object.entries(berlin)) {
      actor.send({ type: 'EDIT_ADDRESS', field: field as keyof typeof berlin, value });
    }
    actor.send({ type: 'SUBMIT' });
    await waitFor(actor, (s) => s.status === 'done');
    expect(calls[0]?.shippingAddress).toEqual({ ...berlin, line2: null, region: null });
    expect(calls[0] !== undefined && 'customer' in calls[0]).toBe(false);
  });

  it('does not send an invalid email or a partly filled group; errors follow the edits', () => {
    const { actor, calls, fill, firstKey } = start(neverCalled);
    fill(firstKey(), widget);
    actor.send({ type: 'EDIT_CUSTOMER', field: 'name', value: 'Ada' });
    actor.send({ type: 'EDIT_CUSTOMER', field: 'email', value: 'ada@' });
    actor.send({ type: 'EDIT_ADDRESS', field: 'city', value: 'Berlin' });
    actor.send({ type: 'SUBMIT' });
    expect(actor.getSnapshot().value).toBe('editing');
    expect(calls).toEqual([]);
    const { errors } = actor.getSnapshot().context;
    expect(errors['customer.email']).toBe('Email must be a valid email address');
    expect(errors.shippingAddress).toMatch(/missing Address line 1, Postal code and Country/);

    actor.send({ type: 'EDIT_CUSTOMER', field: 'email', value: 'ada@example.com' });
    actor.send({ type: 'EDIT_ADDRESS', field: 'city', value: '' });
    expect(actor.getSnapshot().context.errors).toEqual({});
  });

  it('puts the server’s refusal of a contact field next to that field', async () => {
    const { actor, fill, firstKey } = start(() =>
      refuse([
        {
          code: 'BAD_USER_INPUT',
          field: 'input.shippingAddress.postalCode',
          message: 'is not a postal code of DE',
        },
      ]),
    );
    fill(firstKey(), widget);
    for (const [field, value] of Object.entries(berlin)) {
      actor.send({ type: 'EDIT_ADDRESS', field: field as keyof typeof berlin, value });
    }
    actor.send({ type: 'SUBMIT' });
    const after = await waitFor(actor, (s) => s.matches('editing') && s.context.problem !== null);
    expect(after.context.errors).toEqual({
      'shippingAddress.postalCode': 'Postal code is not a postal code of DE',
    });
    expect(after.context.problem?.message).toBe('Please fix the highlighted fields.');
  });
});
