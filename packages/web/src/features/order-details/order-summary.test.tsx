import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { orderFixture } from '../../lib/graphql/order.fixtures.js';
import { actorLabel, addressLines, OrderSummary } from './order-summary.js';

describe('actorLabel', () => {
  it('names who made each history entry', () => {
    expect(actorLabel({ kind: 'CUSTOMER', id: 'demo-customer' })).toBe('by customer demo-customer');
    expect(actorLabel({ kind: 'ADMIN', id: 'x' })).toBe('by admin x');
    expect(actorLabel({ kind: 'PAYMENT_PROVIDER', id: null })).toBe('by payment provider');
    expect(actorLabel({ kind: 'SYSTEM', id: null })).toBe('by system');
  });
});

describe('addressLines', () => {
  it('prints the lines given, postal code with city, and the country by name', () => {
    expect(
      addressLines({
        line1: '1 Main St',
        line2: null,
        city: 'Berlin',
        postalCode: '10115',
        region: null,
        country: 'DE',
      }),
    ).toEqual(['1 Main St', '10115 Berlin', 'Germany']);
  });
});

describe('OrderSummary', () => {
  it('shows the customer, the shipping address and the actor on each history entry', () => {
    const order = orderFixture(['CREATED', 'CONFIRMED'], {
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      shippingAddress: {
        line1: '12 Analytical Row',
        line2: 'Flat 2',
        city: 'London',
        postalCode: 'N1 9GU',
        region: null,
        country: 'GB',
      },
    });
    render(<OrderSummary order={order} />);
    expect(screen.getByText('Ada Lovelace')).toBeDefined();
    expect(screen.getByRole('link', { name: 'ada@example.com' }).getAttribute('href')).toBe(
      'mailto:ada@example.com',
    );
    const history = screen.getByRole('list', { name: 'History' });
    const entries = within(history)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(entries[0]).toContain('by customer');
    expect(entries[1]).toContain('by payment provider');
    expect(document.querySelector('address')?.textContent).toBe(
      '12 Analytical RowFlat 2N1 9GU LondonUnited Kingdom',
    );
  });

  it('says when no customer or address was given', () => {
    render(<OrderSummary order={orderFixture(['CREATED'])} />);
    expect(screen.getAllByText('Not given')).toHaveLength(2);
  });
});
