import {
  CONTACT_LIMITS,
  DEFAULT_CURRENCY,
  isCountryCode,
  validateAddress,
  validateCustomer,
  validateOrderDraft,
  type FieldError,
} from '@oms/order-lifecycle';
import type {
  AddressInput,
  CreateOrderInput,
  CustomerInput,
  OrderItemInput,
} from '../../lib/graphql/order.types.js';
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

export type CustomerField = 'name' | 'email';
export type AddressField = 'line1' | 'line2' | 'city' | 'postalCode' | 'region' | 'country';

/** The optional customer group as typed. */
export type CustomerDraft = Record<CustomerField, string>;
/** The optional shipping address group as typed; `country` is an ISO 3166-1 alpha-2 code or ''. */
export type AddressDraft = Record<AddressField, string>;

/** The whole form as typed. */
export interface OrderFormDraft {
  lines: LineDraft[];
  currency: string;
  payment: PaymentChoice;
  /** Sent only when any of its boxes is filled in. */
  customer: CustomerDraft;
  /** Sent only when any of its boxes is filled in. */
  address: AddressDraft;
}

export const EMPTY_CUSTOMER: CustomerDraft = { name: '', email: '' };
export const EMPTY_ADDRESS: AddressDraft = {
  line1: '',
  line2: '',
  city: '',
  postalCode: '',
  region: '',
  country: '',
};

/** How a contact box is shown: its label, whether the group needs it, and its rule in words. */
export interface ContactFieldSpec {
  label: string;
  required: boolean;
  hint: string;
}

const chars = (max: number) => `at most ${max} characters`;

/** The customer's boxes, in order, with the shared rules (CONTACT_LIMITS) in words. */
export const CUSTOMER_FIELDS: Record<CustomerField, ContactFieldSpec> = {
  name: {
    label: 'Name',
    required: true,
    hint: `Required, ${chars(CONTACT_LIMITS.maxCustomerNameLength)}`,
  },
  email: {
    label: 'Email',
    required: true,
    hint: `Required, a valid email address of ${chars(CONTACT_LIMITS.maxEmailLength)}`,
  },
};

/** The address's boxes, in order, with the shared rules (CONTACT_LIMITS) in words. */
export const ADDRESS_FIELDS: Record<AddressField, ContactFieldSpec> = {
  line1: {
    label: 'Address line 1',
    required: true,
    hint: `Required, ${chars(CONTACT_LIMITS.maxAddressLineLength)}`,
  },
  line2: {
    label: 'Address line 2',
    required: false,
    hint: `Optional, ${chars(CONTACT_LIMITS.maxAddressLineLength)}`,
  },
  city: {
    label: 'City',
    required: true,
    hint: `Required, ${chars(CONTACT_LIMITS.maxAddressLineLength)}`,
  },
  postalCode: {
    label: 'Postal code',
    required: true,
    hint: `Required, ${chars(CONTACT_LIMITS.maxPostalCodeLength)}`,
  },
  region: {
    label: 'Region',
    required: false,
    hint: `Optional (state, province), ${chars(CONTACT_LIMITS.maxAddressLineLength)}`,
  },
  country: { label: 'Country', required: true, hint: 'Required' },
};

/** The names the groups' errors are filed under, as the API names the input's fields. */
export const CUSTOMER_GROUP = 'customer';
export const ADDRESS_GROUP = 'shippingAddress';

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Every country the shared rules accept, by English name. The list is the lifecycle's own
 * (`isCountryCode` over every two-letter code), named by the browser: none is bundled here.
 */
export function countryOptions(): { code: string; name: string }[] {
  const letters = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
  const codes = letters.flatMap((a) => letters.map((b) => `${a}${b}`));
  return codes
    .filter(isCountryCode)
    .map((code) => ({ code, name: countryNames.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
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
  return {
    lines: [emptyLine(key)],
    currency: DEFAULT_CURRENCY,
    payment: 'random',
    customer: EMPTY_CUSTOMER,
    address: EMPTY_ADDRESS,
  };
}

/** `items[2].quantity` → "Quantity"; used to turn the lifecycle's messages into sentences. */
function labelOf(field: string): string {
  const match = /^items\[\d+\]\.(\w+)$/.exec(field);
  const name = match?.[1] as LineField | undefined;
  if (name !== undefined && name in FIELD_LABELS) return FIELD_LABELS[name];
  if (field === 'currency') return 'Currency';
  if (field === 'items') return 'Items';
  if (field === 'paymentToken') return 'Payment';
  const contact = /^(customer|shippingAddress)\.(\w+)$/.exec(field);
  if (
    contact?.[1] === CUSTOMER_GROUP &&
    contact[2] !== undefined &&
    contact[2] in CUSTOMER_FIELDS
  ) {
    return CUSTOMER_FIELDS[contact[2] as CustomerField].label;
  }
  if (contact?.[1] === ADDRESS_GROUP && contact[2] !== undefined && contact[2] in ADDRESS_FIELDS) {
    return ADDRESS_FIELDS[contact[2] as AddressField].label;
  }
  if (field === CUSTOMER_GROUP) return 'Customer';
  if (field === ADDRESS_GROUP) return 'Shipping address';
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

/** Whether any box of a group holds more than blanks: an untouched group is not sent. */
function isFilled(group: Record<string, string>): boolean {
  return Object.values(group).some((value) => value.trim() !== '');
}

/** "City and Postal code", "Name, Email and Country". */
function listed(labels: string[]): string {
  return labels.length <= 1
    ? (labels[0] ?? '')
    : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1) ?? ''}`;
}

/**
 * Files the errors of a partly filled group: each blank required box says it is required, the
 * group itself says which are missing, and any other rule is worded after its box.
 */
function groupErrors(
  errors: FieldErrors,
  group: string,
  draft: Record<string, string>,
  specs: Record<string, ContactFieldSpec>,
  rules: FieldError[],
): void {
  const missing = Object.entries(specs)
    .filter(([field, spec]) => spec.required && (draft[field] ?? '').trim() === '')
    .map(([field, spec]) => {
      errors[`${group}.${field}`] = `${spec.label} is required`;
      return spec.label;
    });
  if (missing.length > 0) {
    errors[group] = `${labelOf(group)} is missing ${listed(missing)}: fill ${
      missing.length === 1 ? 'it' : 'them'
    } in, or clear the whole group to send none.`;
  }
  for (const error of rules) errors[error.field] ??= sentence(error);
}

/** The customer as sent, trimmed; undefined when the group is left empty. */
function customerInput(draft: CustomerDraft): CustomerInput | undefined {
  if (!isFilled(draft)) return undefined;
  return { name: draft.name.trim(), email: draft.email.trim() };
}

/** The address as sent, trimmed, blank optional lines as null; undefined when left empty. */
function addressInput(draft: AddressDraft): AddressInput | undefined {
  if (!isFilled(draft)) return undefined;
  const optional = (value: string) => (value.trim() === '' ? null : value.trim());
  return {
    line1: draft.line1.trim(),
    line2: optional(draft.line2),
    city: draft.city.trim(),
    postalCode: draft.postalCode.trim(),
    region: optional(draft.region),
    country: draft.country.trim(),
  };
}

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
  const customer = customerInput(draft.customer);
  const shippingAddress = addressInput(draft.address);
  if (customer !== undefined) input.customer = customer;
  if (shippingAddress !== undefined) input.shippingAddress = shippingAddress;
  for (const error of validateOrderDraft({
    items,
    currency: input.currency,
    paymentToken: input.paymentToken,
  })) {
    // A box that could not be read keeps its own message rather than one about the placeholder.
    errors[error.field] ??= sentence(error);
  }
  // The same rules the API applies to the groups, named as it names them (`customer.email`).
  if (customer !== undefined) {
    groupErrors(
      errors,
      CUSTOMER_GROUP,
      draft.customer,
      CUSTOMER_FIELDS,
      validateCustomer(customer),
    );
  }
  if (shippingAddress !== undefined) {
    groupErrors(
      errors,
      ADDRESS_GROUP,
      draft.address,
      ADDRESS_FIELDS,
      validateAddress(shippingAddress),
    );
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
