import { DEFAULT_CURRENCY, validateOrderDraft, type FieldError } from '@oms/order-lifecycle';
import type { CreateOrderInput, OrderItemInput } from '../../lib/graphql/order.types.js';
import { parseMoney } from '../../lib/money.js';

/** One item line as typed: every value is the text in its box. */
export interface LineDraft {
  /** Stable identity for React keys and events, unrelated to the line's position. */
  key: string;
  sku: string;
  name: string;
  quantity: string;
  unitPrice: string;
}

export type LineField = 'sku' | 'name' | 'quantity' | 'unitPrice';

export type PaymentChoice = 'random' | 'approve' | 'decline';

/** The whole form as typed. */
export interface OrderFormDraft {
  lines: LineDraft[];
  currency: string;
  payment: PaymentChoice;
}

/** Field path (`items[0].quantity`, `currency`, `items`) → message shown next to it. */
export type FieldErrors = Record<string, string>;

export const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CHF',
  'CAD',
  'AUD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'INR',
  'BRL',
  'KWD',
] as const;

/** Mocked payment credentials understood by payments-api. */
export const PAYMENT_TOKENS: Record<PaymentChoice, string | null> = {
  random: null,
  approve: 'tok_approve',
  decline: 'tok_decline',
};

export const FIELD_LABELS: Record<LineField, string> = {
  sku: 'SKU',
  name: 'Name',
  quantity: 'Quantity',
  unitPrice: 'Unit price',
};

export function emptyLine(key: string): LineDraft {
  return { key, sku: '', name: '', quantity: '1', unitPrice: '' };
}

export function initialDraft(key: string): OrderFormDraft {
  return { lines: [emptyLine(key)], currency: DEFAULT_CURRENCY, payment: 'random' };
}

/** `items[2].quantity` → "Quantity"; used to turn the lifecycle's messages into sentences. */
function labelOf(field: string): string {
  const match = /^items\[\d+\]\.(\w+)$/.exec(field);
  const name = match?.[1] as LineField | undefined;
  if (name !== undefined && name in FIELD_LABELS) return FIELD_LABELS[name];
  if (field === 'currency') return 'Currency';
  if (field === 'items') return 'Items';
  if (field === 'paymentToken') return 'Payment';
  return field;
}

/** "must be between 1 and 10000" on `items[0].quantity` → "Quantity must be between 1 and 10000". */
export function sentence(error: FieldError): string {
  return `${labelOf(error.field)} ${error.message}`;
}

function parseQuantity(text: string): number | string {
  const value = text.trim();
  if (value === '') return 'is required';
  if (!/^\d+$/.test(value)) return 'must be a whole number';
  return Number(value);
}

export type ParsedForm = { ok: true; input: CreateOrderInput } | { ok: false; errors: FieldErrors };

/**
 * Reads the typed form into the API's input, in minor units, and checks it with the same
 * rules the API enforces (the lifecycle package), so the server refuses nothing the form let by.
 */
export function parseOrderForm(draft: OrderFormDraft): ParsedForm {
  const errors: FieldErrors = {};
  const items: OrderItemInput[] = draft.lines.map((line, i) => {
    if (line.sku.trim() === '') errors[`items[${i}].sku`] = 'SKU is required';
    if (line.name.trim() === '') errors[`items[${i}].name`] = 'Name is required';
    const quantity = parseQuantity(line.quantity);
    if (typeof quantity === 'string') errors[`items[${i}].quantity`] = `Quantity ${quantity}`;
    const price = parseMoney(line.unitPrice, draft.currency);
    if (!price.ok) errors[`items[${i}].unitPrice`] = `Unit price ${price.message}`;
    return {
      sku: line.sku.trim(),
      name: line.name.trim(),
      quantity: typeof quantity === 'number' ? quantity : 1,
      unitPrice: price.ok ? price.minorUnits : 0,
    };
  });
  const input: CreateOrderInput = {
    items,
    currency: draft.currency,
    paymentToken: PAYMENT_TOKENS[draft.payment],
  };
  for (const error of validateOrderDraft(input)) {
    // A box that could not be read keeps its own message rather than one about the placeholder.
    errors[error.field] ??= sentence(error);
  }
  return Object.keys(errors).length === 0 ? { ok: true, input } : { ok: false, errors };
}

/** The running total of the lines that can be read so far, in minor units. */
export function runningTotal(draft: OrderFormDraft): number {
  let total = 0;
  for (const line of draft.lines) {
    const quantity = parseQuantity(line.quantity);
    const price = parseMoney(line.unitPrice, draft.currency);
    if (typeof quantity === 'number' && price.ok) total += quantity * price.minorUnits;
  }
  return total;
}
