/** Money in the UI: integer minor units plus an ISO 4217 code, as the API stores it. */

import { minorDigits } from '@oms/order-lifecycle';

export { minorDigits };

/** `1250, 'USD'` → `$12.50` in the reader's locale. */
export function formatMoney(minorUnits: number, currency: string, locale?: string): string {
  const digits = minorDigits(currency);
  const value = minorUnits / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

export type ParsedMoney = { ok: true; minorUnits: number } | { ok: false; message: string };

/**
 * Reads a price as people type it (`12.50`, `12,5`, `12`, ` 0.99 `) into minor units, with
 * integer arithmetic so `0.29` is 29 and not 28.999…. One decimal separator, dot or comma.
 */
export function parseMoney(text: string, currency: string): ParsedMoney {
  const digits = minorDigits(currency);
  const value = text.trim();
  if (value === '') return { ok: false, message: 'is required' };
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(value);
  if (match === null) {
    return { ok: false, message: `must be an amount like ${digits === 0 ? '1250' : '12.50'}` };
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `must be a whole amount (${currency} has no minor unit)`
          : `must have at most ${digits} decimals`,
    };
  }
  const minorUnits = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minorUnits)) return { ok: false, message: 'is too large' };
  return { ok: true, minorUnits };
}
