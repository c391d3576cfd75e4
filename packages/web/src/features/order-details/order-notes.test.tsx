import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { MockLink } from '@apollo/client/testing';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ADD_ORDER_NOTE } from '../../lib/graphql/order.documents.js';
import type { OrderNote } from '../../lib/graphql/order.types.js';
import { OrderNotes } from './order-notes.js';

const ORDER_ID = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

const NOTES: OrderNote[] = [
  {
    id: 'n1',
    text: 'Please ring twice',
    visibility: 'PUBLIC',
    createdAt: '2024-06-01T10:00:00.000Z',
    author: { kind: 'CUSTOMER', id: 'alice' },
  },
  {
    id: 'n2',
    text: 'Called about the colour',
    visibility: 'INTERNAL',
    createdAt: '2024-06-01T10:05:00.000Z',
    author: { kind: 'ADMIN', id: 'ops' },
  },
];

/** A real Apollo client whose network answers the given mutations; records what was sent. */
function renderNotes(offerVisibility: boolean, mocks: MockLink.MockedResponse[] = []) {
  const sent: Record<string, unknown>[] = [];
  const record = new ApolloLink((operation, forward) => {
    sent.push(operation.variables);
    return forward(operation);
  });
  const client = new ApolloClient({
    link: ApolloLink.from([record, new MockLink(mocks)]),
    cache: new InMemoryCache(),
  });
  const added: OrderNote[] = [];
  render(
    <ApolloProvider client={client}>
      <OrderNotes
        orderId={ORDER_ID}
        notes={NOTES}
        offerVisibility={offerVisibility}
        onAdded={(note) => added.push(note)}
      />
    </ApolloProvider>,
  );
  return { sent, added, user: userEvent.setup() };
}

describe('OrderNotes', () => {
  it('lists the notes in the order given, the internal one marked in words', () => {
    renderNotes(true);
    const items = within(screen.getByRole('list', { name: 'Notes' })).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.note-text')?.textContent)).toEqual([
      'Please ring twice',
      'Called about the colour',
    ]);
    expect(within(items[0] as HTMLElement).queryByText('Internal')).toBeNull();
    expect(within(items[1] as HTMLElement).getByText('Internal')).toBeDefined();
    expect(items[1]?.textContent).toContain('Admin ops');
    expect(items[0]?.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2024-06-01T10:00:00.000Z',
    );
  });

  it('offers the visibility choice only when asked to', () => {
    renderNotes(false);
    expect(screen.queryByRole('group', { name: 'Visible to' })).toBeNull();
    expect(screen.getByLabelText('Note')).toBeDefined();
  });

  it('ties the rule message and the counter to the text box, and sends nothing blank', async () => {
    const { user, sent } = renderNotes(false);
    const box = screen.getByLabelText('Note');
    expect(box.getAttribute('aria-invalid')).toBe('false');
    expect(screen.getByText('0 of 2,000 characters')).toBeDefined();
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    expect(box.getAttribute('aria-invalid')).toBe('true');
    const described = (box.getAttribute('aria-describedby') ?? '').split(' ');
    const texts = described.map((id) => document.getElementById(id)?.textContent);
    expect(texts).toEqual(['Note must not be blank', '0 of 2,000 characters']);
    expect(sent).toEqual([]);
  });

  it('sends an internal note when an admin chooses it, and reports the stored note', async () => {
    const stored: OrderNote & { __typename: 'OrderNote' } = {
      __typename: 'OrderNote',
      id: 'n3',
      text: 'Fraud check passed',
      visibility: 'INTERNAL',
      createdAt: '2024-06-01T10:10:00.000Z',
      author: { kind: 'ADMIN', id: 'ops' },
    };
    const { user, sent, added } = renderNotes(true, [
      {
        request: {
          query: ADD_ORDER_NOTE,
          variables: { orderId: ORDER_ID, text: 'Fraud check passed', visibility: 'INTERNAL' },
        },
        result: { data: { addOrderNote: stored } },
      },
    ]);
    await user.click(screen.getByRole('radio', { name: /internal/ }));
    await user.type(screen.getByLabelText('Note'), '  Fraud check passed ');
    await user.click(screen.getByRole('button', { name: 'Add note' }));
    await waitFor(() => {
      expect(added.map((n) => n.id)).toEqual(['n3']);
    });
    // The box is empty again for the next note.
    expect(screen.getByLabelText('Note')).toHaveProperty('value', '');
    expect(sent).toEqual([
      { orderId: ORDER_ID, text: 'Fraud check passed', visibility: 'INTERNAL' },
    ]);
  });
});
