/**
 * Rules for the input of an order, shared by the API (which enforces them) and the SPA
 * (which mirrors them next to each field). Money is integer minor units plus an ISO 4217 code.
 */
import { iso31661 } from 'iso-3166';

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

/** Limits on the customer and the shipping address given with an order. */
export const CONTACT_LIMITS = {
  maxCustomerNameLength: 200,
  /** RFC 5321's limit on a forward path, less its angle brackets. */
  maxEmailLength: 254,
  maxAddressLineLength: 200,
  maxPostalCodeLength: 20,
} as const;

/** Limits on a note on an order. */
export const NOTE_LIMITS = { maxTextLength: 2_000 } as const;

/**
 * The HTML standard's "valid e-mail address" (what a browser's `<input type=email>` accepts), so
 * the form and the API refuse exactly the same addresses.
 */
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Every assigned ISO 3166-1 alpha-2 code (the `iso-3166` package's list). */
const COUNTRY_CODES: ReadonlySet<string> = new Set(iso31661.map((country) => country.alpha2));

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code (upper case, as `DE`). */
export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code);
}

/** Currency used when an order names none. */
export const DEFAULT_CURRENCY = 'USD';

const CURRENCY_PATTERN = /^[A-Z]{3}$/;

export interface OrderItemDraft {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

/** Who ordered, as given with the order. */
export interface CustomerDraft {
  name: string;
  email: string;
}

/** Where an order is shipped; `country` is an ISO 3166-1 alpha-2 code. */
export interface AddressDraft {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  country: string;
}

export interface OrderDraft {
  items: readonly OrderItemDraft[];
  currency?: string | null;
  paymentToken?: string | null;
  idempotencyKey?: string | null;
  /** Optional; checked when given. */
  customer?: CustomerDraft | null;
  /** Optional; checked when given. */
  shippingAddress?: AddressDraft | null;
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

/** An optional text: absent or empty is accepted; otherwise as `checkText`. */
function checkOptionalText(errors: FieldError[], field: string, value: unknown, max: number): void {
  if (value === '') return;
  checkText(errors, field, value, max, false);
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
  if (draft.customer !== undefined && draft.customer !== null) {
    errors.push(...validateCustomer(draft.customer, 'customer'));
  }
  if (draft.shippingAddress !== undefined && draft.shippingAddress !== null) {
    errors.push(...validateAddress(draft.shippingAddress, 'shippingAddress'));
  }
  return errors;
}

/** Rules a customer breaks (name 1–200, a valid email of at most 254); fields under `at`. */
export function validateCustomer(customer: CustomerDraft, at = 'customer'): FieldError[] {
  const errors: FieldError[] = [];
  checkText(errors, `${at}.name`, customer.name, CONTACT_LIMITS.maxCustomerNameLength, true);
  const email: unknown = customer.email;
  const before = errors.length;
  checkText(errors, `${at}.email`, email, CONTACT_LIMITS.maxEmailLength, true);
  if (errors.length === before && typeof email === 'string' && !EMAIL_PATTERN.test(email)) {
    errors.push({ field: `${at}.email`, message: 'must be a valid email address' });
  }
  return errors;
}

/**
 * Rules a shipping address breaks: lines, city and region at most 200, postal code at most 20,
 * country an assigned ISO 3166-1 alpha-2 code; fields under `at`.
 */
export function validateAddress(address: AddressDraft, at = 'shippingAddress'): FieldError[] {
  const errors: FieldError[] = [];
  const line = CONTACT_LIMITS.maxAddressLineLength;
  checkText(errors, `${at}.line1`, address.line1, line, true);
  checkOptionalText(errors, `${at}.line2`, address.line2, line);
  checkText(errors, `${at}.city`, address.city, line, true);
  checkText(
    errors,
    `${at}.postalCode`,
    address.postalCode,
    CONTACT_LIMITS.maxPostalCodeLength,
    true,
  );
  checkOptionalText(errors, `${at}.region`, address.region, line);
  const country: unknown = address.country;
  if (typeof country !== 'string' || !isCountryCode(country)) {
    errors.push({
      field: `${at}.country`,
      message: 'must be an ISO 3166-1 alpha-2 country code in upper case (DE, US, ...)',
    });
  }
  return errors;
}

/** Rules a note's text breaks: 1 to 2,000 characters, not blank. */
export function validateNoteText(text: string, field = 'text'): FieldError[] {
  const errors: FieldError[] = [];
  checkText(errors, field, text, NOTE_LIMITS.maxTextLength, true);
  return errors;
}

/** Rules an expected version breaks: a version is a whole number of transitions, 1 or more. */
export function validateExpectedVersion(
  version: number | null | undefined,
  field = 'expectedVersion',
): FieldError[] {
  if (version === undefined || version === null) return [];
  return Number.isInteger(version) && version >= 1
    ? []
    : [{ field, message: 'must be a version of the order: a whole number, 1 or more' }];
}

/** Rules a cancellation reason breaks; empty when acceptable (absent is acceptable). */
export function validateCancellationReason(reason: string | null | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (reason === undefined || reason === null) return errors;
  checkText(errors, 'reason', reason, ORDER_LIMITS.maxReasonLength, true);
  return errors;
}

/** Digits after the decimal point for a currency (2 for USD, 0 for JPY, 3 for BHD). */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/**
 * Minor units as a plain decimal in major units (`1250, 'USD'` → `12.50`, `1250, 'JPY'` →
 * `1250`, `-5, 'USD'` → `-0.05`): no grouping, no symbol, for files that other programs read.
 * Integer arithmetic, so no amount is rounded.
 */
export function formatMajorUnits(minorUnits: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minorUnits < 0 ? '-' : '';
  const text = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
