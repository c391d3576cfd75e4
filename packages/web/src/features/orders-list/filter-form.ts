import {
  formatMajorUnits,
  validateOrderQuery,
  type OrderFilter,
  type OrderStatus,
} from '@oms/order-lifecycle';
import { parseMoney } from '../../lib/money.js';
import type { ListView } from './list-view.js';

/**
 * The filter form as typed: dates as `<input type="date">` gives them (`2026-01-31`, UTC days,
 * both ends included), totals in major units of the chosen currency.
 */
export interface FilterDraft {
  statuses: OrderStatus[];
  createdFrom: string;
  createdTo: string;
  totalMin: string;
  totalMax: string;
  currency: string;
}

export type FilterField =
  'status' | 'createdFrom' | 'createdTo' | 'totalMin' | 'totalMax' | 'currency';

export type FilterErrors = Partial<Record<FilterField, string>>;

export const EMPTY_DRAFT: FilterDraft = {
  statuses: [],
  createdFrom: '',
  createdTo: '',
  totalMin: '',
  totalMax: '',
  currency: '',
};

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Midnight UTC starting a `yyyy-mm-dd` day; null when it is not one. */
function dayStart(day: string): Date | null {
  if (!DAY.test(day)) return null;
  const date = new Date(`${day}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day ? null : date;
}

const dayOf = (instant: Date) => instant.toISOString().slice(0, 10);

/** The form showing a view's filter (a range's end is the last day it includes). */
export function draftOf(view: ListView): FilterDraft {
  const f = view.filter;
  const currency = f.currency ?? '';
  const major = (minor: number | null | undefined) =>
    minor == null ? '' : formatMajorUnits(minor, currency === '' ? 'USD' : currency);
  return {
    statuses: [...(f.status ?? [])],
    createdFrom: f.createdAfter ? dayOf(f.createdAfter) : '',
    // createdBefore is exclusive: the day before it is the last one shown.
    createdTo: f.createdBefore ? dayOf(new Date(f.createdBefore.getTime() - 1)) : '',
    totalMin: major(f.totalMin),
    totalMax: major(f.totalMax),
    currency,
  };
}

/** The form's fields as the shared rules name them in a URL. */
const FIELD_OF_PARAM: Record<string, FilterField> = {
  status: 'status',
  createdAfter: 'createdFrom',
  createdBefore: 'createdTo',
  totalMin: 'totalMin',
  totalMax: 'totalMax',
  currency: 'currency',
};

/** How the rules' messages name the other end of a range, in the form's words. */
const LABEL_OF_PARAM: Record<string, string> = {
  createdAfter: 'the From date',
  totalMin: 'the minimum total',
};

/**
 * The view with the form's filter (search and sort kept), or what is wrong with each field:
 * first what the form itself cannot read (a date, an amount), then `validateOrderQuery`'s rules.
 */
export function applyDraft(
  view: ListView,
  draft: FilterDraft,
  options: { admin: boolean },
): { ok: true; view: ListView } | { ok: false; errors: FilterErrors } {
  const errors: FilterErrors = {};
  const filter: OrderFilter = {};
  if (view.filter.customerId != null) filter.customerId = view.filter.customerId;
  if (draft.statuses.length > 0) filter.status = [...draft.statuses];
  const currency = draft.currency.trim().toUpperCase();
  if (currency !== '') filter.currency = currency;

  const from = draft.createdFrom.trim();
  if (from !== '') {
    const start = dayStart(from);
    if (start === null) errors.createdFrom = 'must be a date';
    else filter.createdAfter = start;
  }
  const to = draft.createdTo.trim();
  if (to !== '') {
    const start = dayStart(to);
    // The whole day is included: up to the next midnight UTC.
    if (start === null) errors.createdTo = 'must be a date';
    else filter.createdBefore = new Date(start.getTime() + DAY_MS);
  }

  for (const field of ['totalMin', 'totalMax'] as const) {
    const text = draft[field].trim();
    if (text === '') continue;
    if (currency === '') {
      // Minor units differ between currencies (JPY has none), so an amount needs its currency.
      errors[field] = 'choose a currency first: the amount is in its units';
      continue;
    }
    const money = parseMoney(text, currency);
    if (money.ok) filter[field] = money.minorUnits;
    else errors[field] = money.message;
  }

  const next: ListView = { ...view, filter };
  for (const error of validateOrderQuery(next, { admin: options.admin, naming: 'url' })) {
    const field = FIELD_OF_PARAM[error.field];
    if (field === undefined || errors[field] !== undefined) continue;
    errors[field] = error.message.replace(
      /\b(createdAfter|totalMin)\b/,
      (name) => LABEL_OF_PARAM[name] ?? name,
    );
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, view: next };
}

/** How many filters a view applies, for the collapsed form's summary. */
export function activeFilterCount(view: ListView): number {
  const f = view.filter;
  return [
    f.status != null && f.status.length > 0,
    f.createdAfter != null || f.createdBefore != null,
    f.totalMin != null || f.totalMax != null,
    f.currency != null,
  ].filter(Boolean).length;
}
