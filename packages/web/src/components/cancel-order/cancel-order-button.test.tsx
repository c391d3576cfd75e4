import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { MockLink } from '@apollo/client/testing';
import type { OrderStatus } from '@oms/order-lifecycle';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CANCEL_ORDER } from '../../lib/graphql/order.documents.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { CancelOrderButton, type CancelOrderButtonProps } from './cancel-order-button.js';
import { orderFixture, withTypenames } from '../../lib/graphql/order.fixtures.js';

const ORDER_ID = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** The order as the API answers (with the typenames Apollo's cache keys by). */
function order(status: OrderStatus, reason: string | null = null): Order & { __typename: 'Order' } {
  const path: OrderStatus[] =
    status === 'CANCELLED' ? ['CREATED', 'CONFIRMED', 'CANCELLED'] : ['CREATED', status];
  const item = { sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 };
  return withTypenames(
    orderFixture(path, { id: ORDER_ID, total: 2500, cancellationReason: reason, items: [item] }),
  );
}

/**
 * A real Apollo client whose network is a MockLink answering the given cancel mutations;
 * every operation that reaches the network is recorded.
 */
function renderButton(
  props: Partial<CancelOrderButtonProps> & { status: OrderStatus },
  mocks: MockLink.MockedResponse[] = [],
) {
  const sent: Record<string, unknown>[] = [];
  const record = new ApolloLink((operation, forward) => {
    sent.push(operation.variables);
    return forward(operation);
  });
  const client = new ApolloClient({
    link: ApolloLink.from([record, new MockLink(mocks)]),
    cache: new InMemoryCache(),
  });
  const calls = { cancelled: [] as Order[], refused: 0 };
  const element = (status: OrderStatus) => (
    <ApolloProvider client={client}>
      <CancelOrderButton
        orderId={ORDER_ID}
        label="Cancel order"
        onCancelled={(o) => calls.cancelled.push(o)}
        onRefused={() => {
          calls.refused++;
        }}
        {...props}
        status={status}
      />
    </ApolloProvider>
  );
  const view = render(element(props.status));
  return {
    sent,
    calls,
    user: userEvent.setup(),
    setStatus: (status: OrderStatus) => {
      view.rerender(element(status));
    },
  };
}

const cancelMock = (reason: string | null, result: MockLink.MockedResponse['result']) => ({
  request: { query: CANCEL_ORDER, variables: { id: ORDER_ID, reason } },
  result,
});

describe('CancelOrderButton', () => {
  it('offers no cancel for a delivered or cancelled order', () => {
    for (const status of ['DELIVERED', 'CANCELLED'] as const) {
      renderButton({ status });
      expect(screen.queryByRole('button', { name: 'Cancel order' }), status).toBeNull();
    }
  });

  it('names the order in the button for screen readers when asked', () => {
    renderButton({ status: 'CREATED', accessibleName: `Cancel order ${ORDER_ID}` });
    expect(screen.getByRole('button', { name: `Cancel order ${ORDER_ID}` })).toHaveProperty(
      'textContent',
      'Cancel order',
    );
  });

  it('asks first, then cancels a confirmed order and says so', async () => {
    const { user, sent, calls } = renderButton({ status: 'CONFIRMED' }, [
      cancelMock(null, { data: { cancelOrder: order('CANCELLED', 'CUSTOMER_REQUEST') } }),
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel this order?' });
    expect(within(dialog).getByRole('textbox', { name: 'Reason (optional)' })).toHaveProperty(
      'value',
      '',
    );
    expect(sent).toEqual([]);

    await user.click(within(dialog).getByRole('button', { name: 'Yes, cancel order' }));
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Order cancelled.');
    expect(sent).toEqual([{ id: ORDER_ID, reason: null }]);
    expect(calls.cancelled.map((o) => o.status)).toEqual(['CANCELLED']);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel order' })).toBeNull();
  });

  it('sends the reason the user typed', async () => {
    const { user, sent } = renderButton({ status: 'CREATED' }, [
      cancelMock('Ordered twice', { data: { cancelOrder: order('CANCELLED', 'Ordered twice') } }),
    ]);
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    await user.type(screen.getByRole('textbox', { name: 'Reason (optional)' }), 'Ordered twice');
    await user.click(screen.getByRole('button', { name: 'Yes, cancel order' }));
    await screen.findByText('Order cancelled.');
    expect(sent).toEqual([{ id: ORDER_ID, reason: 'Ordered twice' }]);
  });

  it('refuses a reason that is too long, next to the box, and sends nothing', async () => {
    const { user, sent } = renderButton({ status: 'CONFIRMED' });
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    const reason = screen.getByRole('textbox', { name: 'Reason (optional)' });
    await user.click(reason);
    await user.paste('r'.repeat(501));
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'Yes, cancel order' }));
    expect(screen.getByRole('dialog', { name: 'Cancel this order?' })).toBeDefined();
    expect(
      screen.getByRole('textbox', {
        name: 'Reason (optional)',
        description: 'Reason must be at most 500 characters',
      }),
    ).toBe(reason);
    expect(sent).toEqual([]);
  });

  it('closes on "Keep order" without sending anything', async () => {
    const { user, sent } = renderButton({ status: 'CONFIRMED' });
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    await user.click(screen.getByRole('button', { name: 'Keep order' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('button', { name: 'Cancel order' })).toBeDefined();
    expect(sent).toEqual([]);
  });

  it("shows the server's refusal and tells the page to re-read the order", async () => {
    const message = `Order ${ORDER_ID} cannot be cancelled: it is DELIVERED`;
    const { user, calls } = renderButton({ status: 'CONFIRMED' }, [
      cancelMock(null, {
        data: null,
        errors: [{ message, extensions: { code: 'ORDER_NOT_CANCELLABLE' } }],
      }),
    ]);
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel order' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(message);
    expect(alert.textContent).toContain('The order was not cancelled.');
    expect(calls.refused).toBe(1);
    expect(calls.cancelled).toEqual([]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('sends the version it was shown as expectedVersion', async () => {
    const { user, sent } = renderButton({ status: 'CONFIRMED', version: 1 }, [
      {
        request: {
          query: CANCEL_ORDER,
          variables: { id: ORDER_ID, reason: null, expectedVersion: 1 },
        },
        result: { data: { cancelOrder: order('CANCELLED', 'CUSTOMER_REQUEST') } },
      },
    ]);
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel order' }));
    await screen.findByText('Order cancelled.');
    expect(sent).toEqual([{ id: ORDER_ID, reason: null, expectedVersion: 1 }]);
  });

  it('explains a version conflict in words and tells the page to re-read the order', async () => {
    const { user, sent, calls } = renderButton({ status: 'CREATED', version: 0 }, [
      {
        request: {
          query: CANCEL_ORDER,
          variables: { id: ORDER_ID, reason: null, expectedVersion: 0 },
        },
        result: {
          data: null,
          errors: [
            {
              message: `Order ${ORDER_ID} is at version 1, not 0`,
              extensions: { code: 'VERSION_CONFLICT', currentVersion: 1, status: 'CONFIRMED' },
            },
          ],
        },
      },
    ]);
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    await user.click(screen.getByRole('button', { name: 'Yes, cancel order' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'The order was not cancelled. This order changed while you were looking at it: it is now Confirmed. Review it and cancel again if you still want to.',
    );
    expect(sent).toEqual([{ id: ORDER_ID, reason: null, expectedVersion: 0 }]);
    expect(calls.refused).toBe(1);
    expect(calls.cancelled).toEqual([]);
  });

  it('gives up when the order is delivered while the dialog is open', async () => {
    const { user, sent, setStatus } = renderButton({ status: 'CONFIRMED' });
    await user.click(screen.getByRole('button', { name: 'Cancel order' }));
    expect(screen.getByRole('dialog', { name: 'Cancel this order?' })).toBeDefined();

    setStatus('DELIVERED');
    expect(screen.getByRole('alert').textContent).toContain(
      'The order is now delivered and can no longer be cancelled.',
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel order' })).toBeNull();
    expect(sent).toEqual([]);
  });

  it('appears once a created order is confirmed and goes once it is delivered', () => {
    const { setStatus } = renderButton({ status: 'CREATED' });
    expect(screen.getByRole('button', { name: 'Cancel order' })).toBeDefined();
    setStatus('CONFIRMED');
    expect(screen.getByRole('button', { name: 'Cancel order' })).toBeDefined();
    setStatus('DELIVERED');
    expect(screen.queryByRole('button', { name: 'Cancel order' })).toBeNull();
  });
});
