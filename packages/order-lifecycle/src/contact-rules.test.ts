import { describe, expect, it } from 'vitest';
import {
  isCountryCode,
  validateAddress,
  validateCustomer,
  validateExpectedVersion,
  validateNoteText,
  validateOrderDraft,
  type AddressDraft,
} from './order-rules.js';

const item = { sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: 100 };
const customer = { name: 'Ada Lovelace', email: 'ada@example.com' };
const address: AddressDraft = {
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};
const fieldsOf = (errors: readonly { field: string }[]) => errors.map((e) => e.field);

describe('customer rules', () => {
  it('accepts a name of 1 to 200 characters and a valid address of at most 254', () => {
    expect(validateCustomer(customer)).toEqual([]);
    expect(validateCustomer({ name: 'A', email: 'a@b' })).toEqual([]);
    expect(validateCustomer({ ...customer, name: 'n'.repeat(200) })).toEqual([]);
    const local = 'l'.repeat(64);
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(61)}`;
    expect(`${local}@${domain}`).toHaveLength(254);
    expect(validateCustomer({ ...customer, email: `${local}@${domain}` })).toEqual([]);
  });

  it('names the field of each violation, under the given prefix', () => {
    expect(fieldsOf(validateCustomer({ name: '', email: 'ada@example.com' }))).toEqual([
      'customer.name',
    ]);
    expect(fieldsOf(validateCustomer({ name: '   ', email: 'x' }, 'input.customer'))).toEqual([
      'input.customer.name',
      'input.customer.email',
    ]);
    expect(fieldsOf(validateCustomer({ ...customer, name: 'n'.repeat(201) }))).toEqual([
      'customer.name',
    ]);
  });

  it('refuses what is not an email address, and one longer than 254 characters', () => {
    for (const email of [
      '',
      'ada',
      'ada@',
      '@example.com',
      'ada@@example.com',
      'ada lovelace@example.com',
      'ada@exa mple.com',
      'ada@-example.com',
      'ada@example..com',
      'ada@example.com\u0000',
    ]) {
      expect(fieldsOf(validateCustomer({ ...customer, email })), email).toEqual(['customer.email']);
    }
    const long = `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(62)}`;
    expect(long).toHaveLength(255);
    expect(validateCustomer({ ...customer, email: long })).toEqual([
      { field: 'customer.email', message: 'must be at most 254 characters' },
    ]);
  });
});

describe('shipping address rules', () => {
  it('accepts an address with or without its optional lines', () => {
    expect(validateAddress(address)).toEqual([]);
    expect(validateAddress({ ...address, line2: 'Flat 3', region: 'Greater London' })).toEqual([]);
    expect(validateAddress({ ...address, line2: null, region: '' })).toEqual([]);
  });

  it('bounds lines to 200 characters and the postal code to 20', () => {
    const long = 'x'.repeat(201);
    expect(
      fieldsOf(
        validateAddress({
          line1: long,
          line2: long,
          city: long,
          postalCode: 'p'.repeat(21),
          region: long,
          country: 'GB',
        }),
      ),
    ).toEqual([
      'shippingAddress.line1',
      'shippingAddress.line2',
      'shippingAddress.city',
      'shippingAddress.postalCode',
      'shippingAddress.region',
    ]);
    expect(
      validateAddress({ ...address, line1: 'x'.repeat(200), postalCode: 'p'.repeat(20) }),
    ).toEqual([]);
  });

  it('wants line1, city and postal code not blank', () => {
    expect(
      fieldsOf(validateAddress({ ...address, line1: ' ', city: '', postalCode: '\t' })),
    ).toEqual(['shippingAddress.line1', 'shippingAddress.city', 'shippingAddress.postalCode']);
  });

  it('wants the country to be an assigned ISO 3166-1 alpha-2 code', () => {
    for (const country of ['DE', 'US', 'GB', 'JP', 'BR', 'ZA', 'SS', 'AQ']) {
      expect(isCountryCode(country), country).toBe(true);
      expect(validateAddress({ ...address, country })).toEqual([]);
    }
    // Lower case, alpha-3, unassigned, user-assigned and transitionally reserved (Yugoslavia) codes.
    for (const country of ['de', 'DEU', 'XX', 'ZZ', 'AA', 'UK', 'YU', 'EU', '', 'D']) {
      expect(isCountryCode(country), country).toBe(false);
      expect(fieldsOf(validateAddress({ ...address, country })), country).toEqual([
        'shippingAddress.country',
      ]);
    }
  });
});

describe('an order with a customer and a shipping address', () => {
  it('checks both when given, and neither when left out', () => {
    expect(validateOrderDraft({ items: [item] })).toEqual([]);
    expect(validateOrderDraft({ items: [item], customer: null, shippingAddress: null })).toEqual(
      [],
    );
    expect(validateOrderDraft({ items: [item], customer, shippingAddress: address })).toEqual([]);
    expect(
      fieldsOf(
        validateOrderDraft({
          items: [item],
          customer: { ...customer, email: 'nope' },
          shippingAddress: { ...address, country: 'XX' },
        }),
      ),
    ).toEqual(['customer.email', 'shippingAddress.country']);
  });
});

describe('note and version rules', () => {
  it('wants a note of 1 to 2,000 characters, not blank', () => {
    expect(validateNoteText('Left at the door')).toEqual([]);
    expect(validateNoteText('n'.repeat(2_000))).toEqual([]);
    expect(fieldsOf(validateNoteText('n'.repeat(2_001)))).toEqual(['text']);
    expect(fieldsOf(validateNoteText(''))).toEqual(['text']);
    expect(fieldsOf(validateNoteText(' \n\t '))).toEqual(['text']);
  });

  it('wants an expected version of 1 or more, when one is given', () => {
    expect(validateExpectedVersion(null)).toEqual([]);
    expect(validateExpectedVersion(undefined)).toEqual([]);
    expect(validateExpectedVersion(1)).toEqual([]);
    expect(fieldsOf(validateExpectedVersion(0))).toEqual(['expectedVersion']);
    expect(fieldsOf(validateExpectedVersion(-3))).toEqual(['expectedVersion']);
  });
});
