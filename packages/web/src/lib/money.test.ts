// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { formatMoney, minorDigits, parseMoney } from './money.js';

function minor(text: string, currency = 'USD'): number {
  const parsed = parseMoney(text, currency);
  if (!parsed.ok) throw new Error(`"${text}" was refused: ${parsed.message}`);
  return parsed.minorUnits;
}

function refusal(text: string, currency = 'USD'): string {
  const parsed = parseMoney(text, currency);
  if (parsed.ok) throw new Error(`"${text}" was read as ${parsed.minorUnits}`);
  return parsed.message;
}

describe('minorDigits', () => {
  it('knows how many decimals each currency has', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    expect(minorDigits('BHD')).toBe(3);
  });

  it('falls back to two decimals for a code Intl cannot use', () => {
    expect(minorDigits('US')).toBe(2);
    expect(minorDigits('')).toBe(2);
  });
});

describe('parseMoney', () => {
  it('reads prices the way people type them', () => {
    expect(minor('12.50')).toBe(1250);
    expect(minor('12,5')).toBe(1250);
    expect(minor('12')).toBe(1200);
    expect(minor(' 0.99 ')).toBe(99);
    expect(minor('0')).toBe(0);
    expect(minor('007.05')).toBe(705);
  });

  it('is exact where floating point is not (0.29 * 100 is 28.999…)', () => {
    expect(minor('0.29')).toBe(29);
    expect(minor('1.15')).toBe(115);
    expect(minor('4.35')).toBe(435);
    // Every price of up to 100.00 reads back as the cents it was written from.
    const misread: string[] = [];
    for (let cents = 0; cents <= 10_000; cents++) {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      if (minor(text) !== cents) misread.push(text);
    }
    expect(misread).toEqual([]);
  });

  it('refuses more decimals than the currency has, instead of rounding them away', () => {
    expect(refusal('1.234')).toBe('must have at most 2 decimals');
    expect(refusal('0.001')).toBe('must have at most 2 decimals');
    // A thousands separator is not silently read as a decimal point.
    expect(refusal('1,234')).toBe('must have at most 2 decimals');
  });

  it('reads JPY as whole yen and refuses fractions of it', () => {
    expect(minor('1250', 'JPY')).toBe(1250);
    expect(minor('1250.', 'JPY')).toBe(1250);
    expect(refusal('12.5', 'JPY')).toBe('must be a whole amount (JPY has no minor unit)');
    expect(refusal('abc', 'JPY')).toBe('must be an amount like 1250');
  });

  it('reads three decimals for KWD and BHD', () => {
    expect(minor('1.234', 'KWD')).toBe(1234);
    expect(minor('1.5', 'BHD')).toBe(1500);
    expect(minor('2', 'BHD')).toBe(2000);
    expect(refusal('1.2345', 'KWD')).toBe('must have at most 3 decimals');
  });

  it('asks for a value when the box is blank', () => {
    expect(refusal('')).toBe('is required');
    expect(refusal('   ')).toBe('is required');
    expect(refusal('\t\n')).toBe('is required');
  });

  it('refuses text that is not an amount', () => {
    for (const text of [
      'abc',
      '12a',
      '$12',
      '12 50',
      '1e3',
      '1.2.3',
      '1,234.56',
      '.',
      'Infinity',
      'NaN',
      '0x10',
    ]) {
      expect(refusal(text), text).toBe('must be an amount like 12.50');
    }
  });

  it('refuses negative amounts', () => {
    expect(refusal('-1')).toBe('must be an amount like 12.50');
    expect(refusal('-0.50')).toBe('must be an amount like 12.50');
  });

  it('refuses amounts too large to count exactly', () => {
    expect(refusal('99999999999999999999')).toBe('is too large');
    expect(refusal('90071992547409.92')).toBe('is too large');
    // The largest exact amount is still read exactly.
    expect(minor('90071992547409.91')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('formatMoney', () => {
  it('shows minor units as an amount in the currency', () => {
    expect(formatMoney(2500, 'USD', 'en-US')).toBe('$25.00');
    expect(formatMoney(29, 'USD', 'en-US')).toBe('$0.29');
    expect(formatMoney(0, 'USD', 'en-US')).toBe('$0.00');
    expect(formatMoney(1250, 'JPY', 'en-US')).toBe('¥1,250');
    expect(formatMoney(1234, 'KWD', 'en-US')).toContain('1.234');
  });

  it("follows the reader's locale", () => {
    const german = formatMoney(1250, 'EUR', 'de-DE');
    expect(german).toContain('12,50');
    expect(german).toContain('€');
  });

  it('still shows the amount for a code Intl refuses', () => {
    expect(formatMoney(1250, 'US', 'en-US')).toBe('12.50 US');
  });

  it('round-trips with parseMoney for every kind of currency', () => {
    for (const currency of ['USD', 'JPY', 'KWD']) {
      for (const amount of [0, 1, 7, 29, 99, 100, 1250, 123_456, 2_147_483_647]) {
        // Strip the symbol and the grouping commas the en-US format adds.
        const text = formatMoney(amount, currency, 'en-US').replace(/[^\d.]/g, '');
        expect(minor(text, currency), `${amount} ${currency}`).toBe(amount);
      }
    }
  });
});
