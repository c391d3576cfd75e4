import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { MockLink } from '@apollo/client/testing';
import { render, screen, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { CREATE_ORDER } from '../../lib/graphql/order.documents.js';
import type { CreateOrderInput, Order } from '../../lib/graphql/order.types.js';
import { CreateOrderPage } from './create-order-page.js';
import { orderFixture, withTypenames } from '../../lib/graphql/order.fixtures.js';

const NEW_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** The order orders-api would answer with for this input. */
function createdFrom(input: CreateOrderInput): Order & { __typename: 'Order' } {
  return withTypenames(
    orderFixture(['CREATED'], {
      id: NEW_ID,
      total: input.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0),
      currency: input.currency ?? 'USD',
      items: input.items,
    }),
  );
}

type Answer = Pick<MockLink.MockedResponse, 'result' | 'error'>;

/** Where the router is, so a test can see the page navigate. */
function OrderPageProbe() {
  const location = useLocation();
  return <h1>Order page at {location.pathname}</h1>;
}

/**
 * The page at /orders/new with a real Apollo client whose network is a MockLink answering
 * createOrder once per answer given; every input that reaches the network is recorded.
 */
function renderPage(...answers: Answer[]) {
  const sent: CreateOrderInput[] = [];
  const record = new ApolloLink((operation, forward) => {
    sent.push((operation.variables as { input: CreateOrderInput }).input);
    return forward(operation);
  });
  const mocks: MockLink.MockedResponse[] = answers.map((answer) => ({
    request: { query: CREATE_ORDER, variables: () => true },
    ...answer,
  }));
  const client = new ApolloClient({
    link: ApolloLink.from([record, new MockLink(mocks)]),
    cache: new InMemoryCache(),
  });
  render(
    <ApolloProvider client={client}>
      <MemoryRouter initialEntries={['/orders/new']}>
        <Routes>
          <Route path="/orders/new" element={<CreateOrderPage />} />
          <Route path="/orders/:id" element={<OrderPageProbe />} />
        </Routes>
      </MemoryRouter>
    </ApolloProvider>,
  );
  return { sent, user: userEvent.setup({ delay: null }) };
}

const approve: Answer = {
  result: (variables: Record<string, unknown>) => ({
    data: { createOrder: createdFrom((variables as { input: CreateOrderInput }).input) },
  }),
};

const item = (n: number) => screen.getByRole('group', { name: `Item ${n}` });
// By label, as the UI contract names them (and much faster than a role query per keystroke).
const box = (n: number, label: string) => within(item(n)).getByLabelText(label);
const total = () => screen.getByRole('status', { name: 'Total' }).textContent;
const placeOrder = () => screen.getByRole('button', { name: 'Place order' });

async function fillLine(
  user: UserEvent,
  n: number,
  values: { sku: string; name: string; quantity: string; unitPrice: string },
) {
  await user.type(box(n, 'SKU'), values.sku);
  await user.type(box(n, 'Name'), values.name);
  await user.clear(box(n, 'Quantity'));
  await user.type(box(n, 'Quantity'), values.quantity);
  await user.type(box(n, 'Unit price'), values.unitPrice);
}

describe('CreateOrderPage', () => {
  it('starts with one line, USD and the mock payment choices', () => {
    renderPage();
    expect(screen.getByRole('heading', { name: 'New order' })).toBeDefined();
    expect(screen.getAllByRole('group', { name: /^Item \d+$/ })).toHaveLength(1);
    expect(box(1, 'Quantity')).toHaveProperty('value', '1');
    expect(screen.getByLabelText('Currency')).toHaveProperty('value', 'USD');
    const payment = within(screen.getByLabelText('Payment'));
    expect(payment.getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Random outcome (mock)',
      'Always approve (tok_approve)',
      'Always decline (tok_decline)',
    ]);
    expect(total()).toBe('$0.00');
  });

  it('updates the running total as the user types', async () => {
    const { user } = renderPage();
    await user.type(box(1, 'Unit price'), '12.50');
    expect(total()).toBe('$12.50');
    await user.clear(box(1, 'Quantity'));
    await user.type(box(1, 'Quantity'), '2');
    expect(total()).toBe('$25.00');

    await user.click(screen.getByRole('button', { name: 'Add item' }));
    await user.type(box(2, 'Unit price'), '0,29');
    expect(total()).toBe('$25.29');
  });

  it('shows the total in the chosen currency', async () => {
    const { user } = renderPage();
    await user.selectOptions(screen.getByLabelText('Currency'), 'JPY');
    await user.type(box(1, 'Unit price'), '1250');
    expect(total()).toBe('¥1,250');
  });

  it('on an empty submit, marks every bad box with its message and sends nothing', async () => {
    const { user, sent } = renderPage();
    const sku = box(1, 'SKU');
    expect(sku.getAttribute('aria-invalid')).toBe('false');

    await user.click(placeOrder());
    expect(screen.getByRole('alert').textContent).toContain('Please fix the highlighted fields.');
    expect(sku.getAttribute('aria-invalid')).toBe('true');
    expect(
      within(item(1)).getByRole('textbox', { name: 'SKU', description: 'SKU is required' }),
    ).toBe(sku);
    expect(
      within(item(1)).getByRole('textbox', {
        name: 'Unit price',
        description: 'Unit price is required',
      }),
    ).toBeDefined();
    expect(sent).toEqual([]);
  });

  it('after a failed submit, marks and clears boxes as the user types', async () => {
    const { user } = renderPage();
    await user.click(placeOrder());
    await user.type(box(1, 'SKU'), 'SKU-1');
    expect(box(1, 'SKU').getAttribute('aria-invalid')).toBe('false');

    await user.clear(box(1, 'Quantity'));
    await user.type(box(1, 'Quantity'), '10001');
    expect(
      within(item(1)).getByRole('textbox', {
        name: 'Quantity',
        description: 'Quantity must be between 1 and 10000',
      }).ariaInvalid,
    ).toBe('true');
    await user.type(box(1, 'Unit price'), '12.5x');
    expect(
      within(item(1)).getByRole('textbox', {
        name: 'Unit price',
        description: 'Unit price must be an amount like 12.50',
      }),
    ).toBeDefined();
  });

  it('adds and removes lines, never the last one', async () => {
    const { user } = renderPage();
    expect(screen.getByRole('button', { name: 'Remove item 1' })).toHaveProperty('disabled', true);

    await user.click(screen.getByRole('button', { name: 'Add item' }));
    // The new line takes the focus, so typing goes straight into it.
    expect(document.activeElement).toBe(box(2, 'SKU'));
    await user.keyboard('SECOND');
    await user.type(box(1, 'SKU'), 'FIRST');
    expect(screen.getByRole('button', { name: 'Remove item 1' })).toHaveProperty('disabled', false);

    await user.click(screen.getByRole('button', { name: 'Remove item 1' }));
    expect(screen.getAllByRole('group', { name: /^Item \d+$/ })).toHaveLength(1);
    // The second line is now item 1, with what was typed into it.
    expect(box(1, 'SKU')).toHaveProperty('value', 'SECOND');
    expect(screen.getByRole('button', { name: 'Remove item 1' })).toHaveProperty('disabled', true);
    // The pressed button went with its line; the focus stays in the form.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add item' }));
  });

  it('places a valid order in minor units and opens it', async () => {
    const { user, sent } = renderPage(approve);
    await fillLine(user, 1, { sku: 'SKU-1', name: 'Widget', quantity: '2', unitPrice: '12.50' });
    await user.selectOptions(screen.getByLabelText('Payment'), 'Always approve (tok_approve)');
    await user.click(placeOrder());

    expect(
      await screen.findByRole('heading', { name: `Order page at /orders/${NEW_ID}` }),
    ).toBeDefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      items: [{ sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 }],
      currency: 'USD',
      paymentToken: 'tok_approve',
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
  });

  it("puts the server's field refusal next to the box, and takes it away once edited", async () => {
    const { user, sent } = renderPage({
      result: {
        data: null,
        errors: [
          {
            message: 'Invalid input: input.items[0].quantity must be between 1 and 10000',
            extensions: {
              code: 'BAD_USER_INPUT',
              field: 'input.items[0].quantity',
              fields: [
                { field: 'input.items[0].quantity', message: 'must be between 1 and 10000' },
              ],
            },
          },
        ],
      },
    });
    await fillLine(user, 1, { sku: 'SKU-1', name: 'Widget', quantity: '3', unitPrice: '1' });
    await user.click(placeOrder());

    const quantity = await within(item(1)).findByRole('textbox', {
      name: 'Quantity',
      description: 'Quantity must be between 1 and 10000',
    });
    expect(quantity.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('Please fix the highlighted fields.');
    expect(sent).toHaveLength(1);

    await user.type(quantity, '0');
    expect(quantity.getAttribute('aria-invalid')).toBe('false');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the service cannot be reached, and a retry reuses the idempotency key', async () => {
    const { user, sent } = renderPage({ error: new TypeError('Failed to fetch') }, approve);
    await fillLine(user, 1, { sku: 'SKU-1', name: 'Widget', quantity: '1', unitPrice: '5' });
    await user.click(placeOrder());

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The order was not placed.');
    expect(alert.textContent).toContain('Could not reach the orders service.');
    expect(box(1, 'SKU')).toHaveProperty('value', 'SKU-1');

    await user.click(placeOrder());
    await screen.findByRole('heading', { name: `Order page at /orders/${NEW_ID}` });
    expect(sent).toHaveLength(2);
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
  });
});
