/**
 * Rules for the input of an order, shared by the API (which enforces them) and the SPA
 * (which mirrors them next to each field). Money is integer minor units plus an ISO 4217 code.
 */

/** The largest value a GraphQL Int (and a PostgreSQL integer) can hold. */
export const MAX_INT32 = 2_147_483_647;

/** Limits on what one order may contain. */
export const ORDER_LIMITS = {
  maxItems: 100,
  minQuantity: 1,
  maxQuantity: 10_000,
  maxUnitPrice: MAX_INT32,
  maxTotal: MAX_INT32,
  maxSkuLength: 64,
  maxNameLength: 200,
  maxReasonLength: 500,
  maxIdempotencyKeyLength: 200,
  maxPaymentTokenLength: 200,
} as const;

/** Currency used when an order names none. */
export const DEFAULT_CURRENCY = 'USD';

const CURRENCY_PATTERN = /^[A-Z]{3}$/;

export interface OrderItemDraft {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export interface OrderDraft {
  items: readonly OrderItemDraft[];
  currency?: string | null;
  paymentToken?: string | null;
  idempotencyKey?: string | null;
}

/** One reason an input was refused, with the path of the field at fault (`items[2].quantity`). */
export interface FieldError {
  field: string;
  message: string;
}

/** The sum of quantity × unit price, in minor units. */
export function orderTotal(
  items: readonly Pick<OrderItemDraft, 'quantity' | 'unitPrice'>[],
): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

function checkText(
  errors: FieldError[],
  field: string,
  value: unknown,
  max: number,
  required: boolean,
): void {
  if (value === undefined || value === null) {
    if (required) errors.push({ field, message: 'is required' });
    return;
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a string' });
  } else if (value.includes('\u0000')) {
    // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
    errors.push({ field, message: 'must not contain NUL characters' });
  } else if (required && value.trim() === '') {
    errors.push({ field, message: 'must not be blank' });
  } else if (value.length > max) {
    errors.push({ field, message: `must be at most ${max} characters` });
  }
}

function checkInteger(
  errors: FieldError[],
  field: string,
  value: unknown,
  min: number,
  max: number,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push({ field, message: 'must be a whole number (minor units)' });
  } else if (value < min || value > max) {
    errors.push({ field, message: `must be between ${min} and ${max}` });
  }
}

/** Every rule an order breaks, in field order; empty when the order is acceptable. */
export function validateOrderDraft(draft: OrderDraft): FieldError[] {
  const errors: FieldError[] = [];
  const items = draft.items;
  if (items.length === 0) {
    errors.push({ field: 'items', message: 'must contain at least one item' });
  } else if (items.length > ORDER_LIMITS.maxItems) {
    errors.push({ field: 'items', message: `must contain at most ${ORDER_LIMITS.maxItems} items` });
  } else {
    items.forEach((item, i) => {
      const at = `items[${i}]`;
      checkText(errors, `${at}.sku`, item.sku, ORDER_LIMITS.maxSkuLength, true);
      checkText(errors, `${at}.name`, item.name, ORDER_LIMITS.maxNameLength, true);
      checkInteger(
        errors,
        `${at}.quantity`,
        item.quantity,
        ORDER_LIMITS.minQuantity,
        ORDER_LIMITS.maxQuantity,
      );
      checkInteger(errors, `${at}.unitPrice`, item.unitPrice, 0, ORDER_LIMITS.maxUnitPrice);
    });
    if (
      !errors.some((e) => e.field.startsWith('items')) &&
      orderTotal(items) > ORDER_LIMITS.maxTotal
    ) {
      errors.push({
        field: 'items',
        message: `total must be at most ${ORDER_LIMITS.maxTotal} minor units`,
      });
    }
  }
  if (
    draft.currency !== undefined &&
    draft.currency !== null &&
    !CURRENCY_PATTERN.test(draft.currency)
  ) {
    errors.push({ field: 'currency', message: 'must be an ISO 4217 code of 3 upper-case letters' });
  }
  checkText(errors, 'paymentToken', draft.paymentToken, ORDER_LIMITS.maxPaymentTokenLength, false);
  if (draft.paymentToken === '')
    errors.push({ field: 'paymentToken', message: 'must not be empty' });
  checkText(
    errors,
    'idempotencyKey',
    draft.idempotencyKey,
    ORDER_LIMITS.maxIdempotencyKeyLength,
    false,
  );
  if (draft.idempotencyKey === '') {
    errors.push({ field: 'idempotencyKey', message: 'must not be empty' });
  }
  return errors;
}

/** Rules a cancellation reason breaks; empty when acceptable (absent is acceptable). */
export function validateCancellationReason(reason: string | null | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (reason === undefined || reason === null) return errors;
  checkText(errors, 'reason', reason, ORDER_LIMITS.maxReasonLength, true);
  return errors;
}
