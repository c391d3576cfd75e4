import { describe, expect, it } from 'vitest';
import { MAX_INT32, validateCancellationReason, validateOrderDraft } from './order-rules.js';

const item = { sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 };
const fields = (draft: Parameters<typeof validateOrderDraft>[0]) =>
  validateOrderDraft(draft).map((e) => e.field);

describe('order input rules', () => {
  it('accepts an ordinary order', () => {
    expect(validateOrderDraft({ items: [item], currency: 'EUR' })).toEqual([]);
    expect(validateOrderDraft({ items: [{ ...item, unitPrice: 0 }] })).toEqual([]);
  });

  it('refuses empty and oversized orders', () => {
    expect(fields({ items: [] })).toEqual(['items']);
    expect(fields({ items: Array.from({ length: 101 }, () => item) })).toEqual(['items']);
    expect(fields({ items: Array.from({ length: 100 }, () => item) })).toEqual([]);
  });

  it('names the line and field at fault', () => {
    const errors = validateOrderDraft({
      items: [item, { ...item, quantity: 0 }, { ...item, unitPrice: -1, name: 'x'.repeat(201) }],
    });
    expect(errors.map((e) => e.field)).toEqual([
      'items[1].quantity',
      'items[2].name',
      'items[2].unitPrice',
    ]);
  });

  it('bounds quantity to 1..10000 and prices to whole minor units', () => {
    expect(fields({ items: [{ ...item, quantity: 10_001 }] })).toEqual(['items[0].quantity']);
    expect(fields({ items: [{ ...item, quantity: 10_000 }] })).toEqual([]);
    expect(fields({ items: [{ ...item, unitPrice: 12.5 }] })).toEqual(['items[0].unitPrice']);
    expect(fields({ items: [{ ...item, sku: '  ' }] })).toEqual(['items[0].sku']);
  });

  it('refuses a total past 2^31 - 1', () => {
    const big = { ...item, quantity: 2, unitPrice: Math.ceil(MAX_INT32 / 2) };
    expect(fields({ items: [big] })).toEqual(['items']);
    expect(fields({ items: [{ ...item, quantity: 1, unitPrice: MAX_INT32 }] })).toEqual([]);
  });

  it('wants a currency of three upper-case letters', () => {
    for (const currency of ['eur', 'EURO', 'E1R', '']) {
      expect(fields({ items: [item], currency })).toEqual(['currency']);
    }
    expect(fields({ items: [item], currency: null })).toEqual([]);
  });

  it('refuses NUL characters, which PostgreSQL text cannot store', () => {
    expect(fields({ items: [{ ...item, sku: 'A\u0000B' }] })).toEqual(['items[0].sku']);
    expect(fields({ items: [{ ...item, name: 'x\u0000' }] })).toEqual(['items[0].name']);
    expect(fields({ items: [item], paymentToken: 't\u0000' })).toEqual(['paymentToken']);
    expect(fields({ items: [item], idempotencyKey: 'k\u0000' })).toEqual(['idempotencyKey']);
    expect(validateCancellationReason('x\u0000y').map((e) => e.field)).toEqual(['reason']);
  });

  it('bounds the idempotency key, the payment token and the cancellation reason', () => {
    expect(fields({ items: [item], idempotencyKey: 'k'.repeat(201) })).toEqual(['idempotencyKey']);
    expect(fields({ items: [item], idempotencyKey: '' })).toEqual(['idempotencyKey']);
    expect(fields({ items: [item], paymentToken: 't'.repeat(201) })).toEqual(['paymentToken']);
    expect(validateCancellationReason('r'.repeat(501)).map((e) => e.field)).toEqual(['reason']);
    expect(validateCancellationReason('changed my mind')).toEqual([]);
    expect(validateCancellationReason(null)).toEqual([]);
  });
});
