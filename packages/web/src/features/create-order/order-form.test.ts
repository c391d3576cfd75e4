// @vitest-environment node
import {
  CONTACT_LIMITS,
  isCountryCode,
  MAX_INT32,
  ORDER_LIMITS,
  validateAddress,
  validateCustomer,
  validateOrderDraft,
  type OrderItemDraft,
} from '@oms/order-lifecycle';
import { describe, expect, it } from 'vitest';
import {
  countryOptions,
  EMPTY_ADDRESS,
  EMPTY_CUSTOMER,
  initialDraft,
  parseOrderForm,
  runningTotal,
  type LineDraft,
  type OrderFormDraft,
  type PaymentChoice,
} from './order-form.js';

function line(fields: Partial<Omit<LineDraft, 'key'>> = {}, key = 'k'): LineDraft {
  return { key, sku: 'SKU-1', name: 'Widget', quantity: '2', unitPrice: '12.50', ...fields };
}

function form(
  lines: LineDraft[],
  extra: Partial<Omit<OrderFormDraft, 'lines'>> = {},
): OrderFormDraft {
  return {
    lines,
    currency: 'USD',
    payment: 'random',
    customer: EMPTY_CUSTOMER,
    address: EMPTY_ADDRESS,
    ...extra,
  };
}

function errorsOf(draft: OrderFormDraft): Record<string, string> {
  const parsed = parseOrderForm(draft);
  if (parsed.ok) throw new Error('the form was accepted');
  return parsed.errors;
}

describe('parseOrderForm', () => {
  it('turns a valid form into the API input, in minor units, with text trimmed', () => {
    const parsed = parseOrderForm(
      form([
        line({ sku: '  SKU-1 ', name: ' Widget  ', quantity: ' 2 ', unitPrice: '12.50' }),
        line({ sku: 'SKU-2', name: 'Gadget', quantity: '3', unitPrice: '0,29' }),
      ]),
    );
    expect(parsed).toEqual({
      ok: true,
      input: {
        items: [
          { sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 },
          { sku: 'SKU-2', name: 'Gadget', quantity: 3, unitPrice: 29 },
        ],
        currency: 'USD',
        paymentToken: null,
      },
    });
  });

  it('maps the payment choice to the mock token payments-api understands', () => {
    const tokenFor = (payment: PaymentChoice) => {
      const parsed = parseOrderForm(form([line()], { payment }));
      return parsed.ok ? parsed.input.paymentToken : 'refused';
    };
    expect(tokenFor('random')).toBeNull();
    expect(tokenFor('approve')).toBe('tok_approve');
    expect(tokenFor('decline')).toBe('tok_decline');
  });

  it("reads prices in the currency's own minor unit", () => {
    const jpy = parseOrderForm(form([line({ unitPrice: '1250' })], { currency: 'JPY' }));
    expect(jpy.ok && jpy.input.items[0]?.unitPrice).toBe(1250);
    const kwd = parseOrderForm(form([line({ unitPrice: '1.234' })], { currency: 'KWD' }));
    expect(kwd.ok && kwd.input.items[0]?.unitPrice).toBe(1234);
    expect(errorsOf(form([line({ unitPrice: '12.5' })], { currency: 'JPY' }))).toEqual({
      'items[0].unitPrice': 'Unit price must be a whole amount (JPY has no minor unit)',
    });
  });

  it('puts each problem at the path of the box it belongs to', () => {
    const errors = errorsOf(
      form([
        line({}, 'a'),
        line({ unitPrice: 'abc' }, 'b'),
        line({ sku: '  ', name: '', quantity: 'two' }, 'c'),
      ]),
    );
    expect(errors).toEqual({
      'items[1].unitPrice': 'Unit price must be an amount like 12.50',
      'items[2].sku': 'SKU is required',
      'items[2].name': 'Name is required',
      'items[2].quantity': 'Quantity must be a whole number',
    });
  });

  it('asks for every blank box of a fresh line', () => {
    const draft = initialDraft('line-1');
    draft.lines[0] = { ...line(), key: 'line-1', sku: '', name: '', quantity: '', unitPrice: '' };
    expect(errorsOf(draft)).toEqual({
      'items[0].sku': 'SKU is required',
      'items[0].name': 'Name is required',
      'items[0].quantity': 'Quantity is required',
      'items[0].unitPrice': 'Unit price is required',
    });
  });

  it('refuses quantities outside the lifecycle limits', () => {
    const { minQuantity, maxQuantity } = ORDER_LIMITS;
    const message = `Quantity must be between ${minQuantity} and ${maxQuantity}`;
    expect(errorsOf(form([line({ quantity: String(maxQuantity + 1) })]))).toEqual({
      'items[0].quantity': message,
    });
    expect(errorsOf(form([line({ quantity: String(minQuantity - 1) })]))).toEqual({
      'items[0].quantity': message,
    });
    expect(errorsOf(form([line({ quantity: '-1' })]))).toEqual({
      'items[0].quantity': 'Quantity must be a whole number',
    });
    expect(errorsOf(form([line({ quantity: '1.5' })]))).toEqual({
      'items[0].quantity': 'Quantity must be a whole number',
    });
    expect(parseOrderForm(form([line({ quantity: String(maxQuantity) })])).ok).toBe(true);
  });

  it('refuses SKUs and names longer than the lifecycle allows', () => {
    const sku = 'S'.repeat(ORDER_LIMITS.maxSkuLength);
    const name = 'N'.repeat(ORDER_LIMITS.maxNameLength);
    expect(parseOrderForm(form([line({ sku, name })])).ok).toBe(true);
    expect(errorsOf(form([line({ sku: `${sku}S`, name: `${name}N` })]))).toEqual({
      'items[0].sku': `SKU must be at most ${ORDER_LIMITS.maxSkuLength} characters`,
      'items[0].name': `Name must be at most ${ORDER_LIMITS.maxNameLength} characters`,
    });
  });

  it('refuses characters the database cannot store', () => {
    expect(errorsOf(form([line({ sku: 'A\u0000B' })]))).toEqual({
      'items[0].sku': 'SKU must not contain NUL characters',
    });
  });

  it('refuses a unit price above what the API can hold', () => {
    // MAX_INT32 cents is 21474836.47 dollars; one cent more does not fit.
    expect(parseOrderForm(form([line({ quantity: '1', unitPrice: '21474836.47' })])).ok).toBe(true);
    expect(errorsOf(form([line({ quantity: '1', unitPrice: '21474836.48' })]))).toEqual({
      'items[0].unitPrice': `Unit price must be between 0 and ${MAX_INT32}`,
    });
  });

  it('refuses an order whose total is above MAX_INT32 minor units', () => {
    // Each line is fine on its own; together they pass the limit.
    const half = (Math.ceil(MAX_INT32 / 2) / 100).toFixed(2);
    const errors = errorsOf(
      form([
        line({ quantity: '1', unitPrice: half }, 'a'),
        line({ quantity: '1', unitPrice: half }, 'b'),
      ]),
    );
    expect(Object.keys(errors)).toEqual(['items']);
    expect(errors.items).toContain(String(MAX_INT32));
  });

  it('refuses more lines than an order may have', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => line({}, `l${i}`));
    expect(parseOrderForm(form(lines(ORDER_LIMITS.maxItems))).ok).toBe(true);
    expect(errorsOf(form(lines(ORDER_LIMITS.maxItems + 1)))).toEqual({
      items: `Items must contain at most ${ORDER_LIMITS.maxItems} items`,
    });
  });

  it('refuses an order with no lines', () => {
    expect(errorsOf(form([]))).toEqual({ items: 'Items must contain at least one item' });
  });
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  /** Mostly a value from `usual`, sometimes one from `unusual`. */
  const mostly = <T>(usual: readonly T[], unusual: readonly T[]): T =>
    next() < 0.85 ? pick(usual) : pick(unusual);
  return { next, pick, mostly };
}

/** Writes an amount in minor units as a person would type it. */
function typed(minorUnits: number, digits: number, comma: boolean): string {
  if (digits === 0) return String(minorUnits);
  const text = String(minorUnits).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}${comma ? ',' : '.'}${text.slice(-digits)}`;
}

describe('parseOrderForm agrees with the lifecycle rules the API enforces', () => {
  it('accepts exactly the orders validateOrderDraft accepts, and names the same fields', () => {
    const rng = random(20_240_601);
    // Values just inside and just outside each limit.
    const skus = [
      ['SKU-1', 'a', 'S'.repeat(64)],
      [' ', '', 'S'.repeat(65), 'x\u0000y'],
    ] as const;
    const names = [
      ['Widget', 'N'.repeat(200)],
      ['', '   ', 'N'.repeat(201)],
    ] as const;
    const quantities = [
      [1, 2, 9_999, 10_000],
      [0, 10_001, 100_000],
    ] as const;
    const prices = [[0, 1, 29, 1250, 99_999, 1_073_741_824, MAX_INT32], [MAX_INT32 + 1]] as const;
    const currencies = [
      ['USD', 2],
      ['JPY', 0],
      ['KWD', 3],
    ] as const;

    let accepted = 0;
    let refused = 0;
    for (let run = 0; run < 2_000; run++) {
      const [currency, digits] = rng.pick(currencies);
      const items: OrderItemDraft[] = Array.from(
        { length: 1 + Math.floor(rng.next() * 3) },
        () => ({
          sku: rng.mostly(...skus),
          name: rng.mostly(...names),
          quantity: rng.mostly(...quantities),
          unitPrice: rng.mostly(...prices),
        }),
      );
      const draft = form(
        items.map((item, i) => ({
          key: `l${i}`,
          sku: item.sku,
          name: item.name,
          quantity: String(item.quantity),
          unitPrice: typed(item.unitPrice, digits, rng.next() < 0.5),
        })),
        { currency, payment: rng.pick(['random', 'approve', 'decline'] as const) },
      );
      const rules = validateOrderDraft({ items, currency });
      const parsed = parseOrderForm(draft);
      const context = JSON.stringify({ items, currency });
      if (rules.length === 0) {
        accepted++;
        expect(parsed, context).toMatchObject({ ok: true, input: { items, currency } });
        // What the form lets by, the API accepts too.
        if (parsed.ok) expect(validateOrderDraft(parsed.input), context).toEqual([]);
      } else {
        refused++;
        expect(parsed.ok, context).toBe(false);
        if (!parsed.ok) {
          expect(Object.keys(parsed.errors).sort(), context).toEqual(
            [...new Set(rules.map((e) => e.field))].sort(),
          );
        }
      }
    }
    // The generator must exercise both sides for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });
});

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const BERLIN = {
  line1: 'Unter den Linden 1',
  line2: '',
  city: 'Berlin',
  postalCode: '10117',
  region: '',
  country: 'DE',
};

describe('parseOrderForm: customer and shipping address', () => {
  it('sends neither group when both are left empty (blanks count as empty)', () => {
    const parsed = parseOrderForm(
      form([line()], {
        customer: { name: '  ', email: '' },
        address: { ...EMPTY_ADDRESS, city: ' ' },
      }),
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect('customer' in parsed.input).toBe(false);
      expect('shippingAddress' in parsed.input).toBe(false);
    }
  });

  it('sends both groups trimmed, blank optional lines as null', () => {
    const parsed = parseOrderForm(
      form([line()], {
        customer: { name: ' Ada Lovelace ', email: ' ada@example.com ' },
        address: { ...BERLIN, line1: ' Unter den Linden 1 ', line2: '  ', region: ' Berlin ' },
      }),
    );
    expect(parsed.ok && parsed.input.customer).toEqual(ADA);
    expect(parsed.ok && parsed.input.shippingAddress).toEqual({
      line1: 'Unter den Linden 1',
      line2: null,
      city: 'Berlin',
      postalCode: '10117',
      region: 'Berlin',
      country: 'DE',
    });
  });

  it('sends one group without the other', () => {
    const parsed = parseOrderForm(form([line()], { address: BERLIN }));
    expect(parsed.ok && 'customer' in parsed.input).toBe(false);
    expect(parsed.ok && parsed.input.shippingAddress?.country).toBe('DE');
  });

  it('says which required boxes of a partly filled group are missing', () => {
    expect(errorsOf(form([line()], { customer: { name: 'Ada', email: '' } }))).toEqual({
      'customer.email': 'Email is required',
      customer: 'Customer is missing Email: fill it in, or clear the whole group to send none.',
    });
    expect(
      errorsOf(form([line()], { address: { ...EMPTY_ADDRESS, city: 'Berlin', region: 'BE' } })),
    ).toEqual({
      'shippingAddress.line1': 'Address line 1 is required',
      'shippingAddress.postalCode': 'Postal code is required',
      'shippingAddress.country': 'Country is required',
      shippingAddress:
        'Shipping address is missing Address line 1, Postal code and Country: fill them in, or clear the whole group to send none.',
    });
  });

  it("words the shared rules' refusals after each box", () => {
    expect(errorsOf(form([line()], { customer: { name: 'Ada', email: 'ada@@example' } }))).toEqual({
      'customer.email': 'Email must be a valid email address',
    });
    const long = (n: number) => 'x'.repeat(n);
    expect(
      errorsOf(
        form([line()], {
          customer: { name: long(CONTACT_LIMITS.maxCustomerNameLength + 1), email: ADA.email },
          address: {
            ...BERLIN,
            line2: long(CONTACT_LIMITS.maxAddressLineLength + 1),
            postalCode: long(CONTACT_LIMITS.maxPostalCodeLength + 1),
            country: 'de',
          },
        }),
      ),
    ).toEqual({
      'customer.name': `Name must be at most ${CONTACT_LIMITS.maxCustomerNameLength} characters`,
      'shippingAddress.line2': `Address line 2 must be at most ${CONTACT_LIMITS.maxAddressLineLength} characters`,
      'shippingAddress.postalCode': `Postal code must be at most ${CONTACT_LIMITS.maxPostalCodeLength} characters`,
      'shippingAddress.country':
        'Country must be an ISO 3166-1 alpha-2 country code in upper case (DE, US, ...)',
    });
    // Right at the limits is fine.
    expect(
      parseOrderForm(
        form([line()], {
          customer: { name: long(CONTACT_LIMITS.maxCustomerNameLength), email: ADA.email },
          address: { ...BERLIN, postalCode: long(CONTACT_LIMITS.maxPostalCodeLength) },
        }),
      ).ok,
    ).toBe(true);
  });

  it('accepts exactly the groups validateCustomer and validateAddress accept', () => {
    const rng = random(20_241_204);
    const names = [
      ['Ada', 'N'.repeat(200)],
      ['', '  ', 'N'.repeat(201)],
    ] as const;
    const emails = [
      ['ada@example.com', 'a.b+c@sub.example.org'],
      ['', 'ada', 'ada@', '@example.com', 'a b@example.com', `${'a'.repeat(250)}@x.de`],
    ] as const;
    const lines = [
      ['Main St 1', 'L'.repeat(200)],
      ['', 'L'.repeat(201)],
    ] as const;
    const optional = [['', 'Apt 2'], ['L'.repeat(201)]] as const;
    const postalCodes = [
      ['10117', 'P'.repeat(20)],
      ['', 'P'.repeat(21)],
    ] as const;
    const countries = [
      ['DE', 'US', 'JP'],
      ['', 'de', 'XX', 'DEU'],
    ] as const;
    let accepted = 0;
    let refused = 0;
    for (let run = 0; run < 1_000; run++) {
      const customer = { name: rng.mostly(...names), email: rng.mostly(...emails) };
      const address = {
        line1: rng.mostly(...lines),
        line2: rng.mostly(...optional),
        city: rng.mostly(...lines),
        postalCode: rng.mostly(...postalCodes),
        region: rng.mostly(...optional),
        country: rng.mostly(...countries),
      };
      // A group left blank is not sent, so its rules do not apply.
      const filled = (group: Record<string, string>) =>
        Object.values(group).some((value) => value.trim() !== '');
      const rules = [
        ...(filled(customer) ? validateCustomer(customer) : []),
        ...(filled(address)
          ? validateAddress({
              ...address,
              line2: address.line2 === '' ? null : address.line2,
              region: address.region === '' ? null : address.region,
            })
          : []),
      ];
      const parsed = parseOrderForm(form([line()], { customer, address }));
      const context = JSON.stringify({ customer, address });
      if (rules.length === 0) {
        accepted++;
        expect(parsed.ok, context).toBe(true);
      } else {
        refused++;
        expect(parsed.ok, context).toBe(false);
        if (!parsed.ok) {
          // Every box the rules name, and no other (the groups' own notes aside).
          const boxes = Object.keys(parsed.errors).filter((f) => f.includes('.'));
          expect(boxes.sort(), context).toEqual([...new Set(rules.map((e) => e.field))].sort());
        }
      }
    }
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});

describe('countryOptions', () => {
  it('offers every code the shared rule accepts and no other, by name', () => {
    const options = countryOptions();
    expect(options.every((o) => isCountryCode(o.code))).toBe(true);
    expect(options.some((o) => o.code === 'XX')).toBe(false);
    // iso-3166's list has 249 assigned codes.
    expect(options.length).toBeGreaterThan(240);
    expect(options.find((o) => o.code === 'DE')?.name).toBe('Germany');
    const names = options.map((o) => o.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });
});

describe('runningTotal', () => {
  it('adds quantity × unit price over the lines, in minor units', () => {
    expect(
      runningTotal(
        form([
          line({ quantity: '2', unitPrice: '12.50' }, 'a'),
          line({ quantity: '3', unitPrice: '0.29' }, 'b'),
        ]),
      ),
    ).toBe(2 * 1250 + 3 * 29);
  });

  it('is exact for amounts floating point gets wrong', () => {
    expect(
      runningTotal(
        form([
          line({ quantity: '1', unitPrice: '0.10' }, 'a'),
          line({ quantity: '1', unitPrice: '0.20' }, 'b'),
        ]),
      ),
    ).toBe(30);
  });

  it('counts only the lines that can be read so far', () => {
    expect(
      runningTotal(
        form([
          line({ quantity: '2', unitPrice: '12.50' }, 'a'),
          line({ quantity: '', unitPrice: '9.99' }, 'b'),
          line({ quantity: '4', unitPrice: '12.' }, 'c'),
          line({ quantity: '4', unitPrice: '1.234' }, 'd'),
        ]),
      ),
    ).toBe(2 * 1250 + 4 * 1200);
    expect(runningTotal(initialDraft('line-1'))).toBe(0);
  });

  it('reads prices in the chosen currency', () => {
    expect(
      runningTotal(form([line({ quantity: '3', unitPrice: '1250' })], { currency: 'JPY' })),
    ).toBe(3750);
    expect(
      runningTotal(form([line({ quantity: '1', unitPrice: '12.5' })], { currency: 'JPY' })),
    ).toBe(0);
  });
});
