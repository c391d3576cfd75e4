// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  applyDraft,
  draftOf,
  EMPTY_DRAFT,
  type FilterDraft,
} from './filter-form.js';
import { DEFAULT_VIEW, listViewParams, type ListView } from './list-view.js';

const apply = (draft: Partial<FilterDraft>, view: ListView = DEFAULT_VIEW) =>
  applyDraft(view, { ...EMPTY_DRAFT, ...draft }, { admin: false });

function viewOf(result: ReturnType<typeof apply>): ListView {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.view;
}

describe('applyDraft', () => {
  it('an empty form is the plain list, keeping the search and sort', () => {
    const searched: ListView = {
      ...DEFAULT_VIEW,
      search: 'mug',
      orderBy: { field: 'TOTAL', direction: 'ASC' },
    };
    const view = viewOf(apply({}, { ...searched, filter: { status: ['CREATED'] } }));
    expect(listViewParams(view).toString()).toBe('search=mug&sort=TOTAL&direction=ASC');
  });

  it('reads the date range as whole UTC days, the last one included', () => {
    const view = viewOf(apply({ createdFrom: '2026-03-01', createdTo: '2026-03-31' }));
    expect(view.filter.createdAfter?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(view.filter.createdBefore?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    // One day: from and to the same date.
    const day = viewOf(apply({ createdFrom: '2026-12-31', createdTo: '2026-12-31' }));
    expect(day.filter.createdBefore?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('refuses a range that ends before it starts, next to the To date', () => {
    const result = apply({ createdFrom: '2026-03-02', createdTo: '2026-03-01' });
    expect(result).toEqual({
      ok: false,
      errors: { createdTo: 'must be later than the From date' },
    });
  });

  it('reads totals in major units of the chosen currency', () => {
    const eur = viewOf(apply({ totalMin: '12.5', totalMax: '100', currency: 'eur' }));
    expect(eur.filter).toMatchObject({ totalMin: 1250, totalMax: 10000, currency: 'EUR' });
    const jpy = viewOf(apply({ totalMin: '1250', currency: 'JPY' }));
    expect(jpy.filter.totalMin).toBe(1250);
  });

  it('says what is wrong with each total, and that it needs a currency', () => {
    expect(apply({ totalMin: '12.5' })).toEqual({
      ok: false,
      errors: { totalMin: 'choose a currency first: the amount is in its units' },
    });
    const result = apply({ totalMin: 'ten', totalMax: '1.5', currency: 'JPY' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.totalMin).toMatch(/must be an amount like 1250/);
    expect(result.errors.totalMax).toMatch(/whole amount/);
  });

  it('shows the shared rules’ messages next to their field', () => {
    const result = apply({ totalMin: '20', totalMax: '10', currency: 'usd' });
    expect(result).toEqual({
      ok: false,
      errors: { totalMax: 'must not be less than the minimum total' },
    });
    const currency = apply({ currency: 'EURO' });
    expect(currency.ok || currency.errors.currency).toMatch(/ISO 4217/);
  });

  it('keeps the statuses chosen', () => {
    const view = viewOf(apply({ statuses: ['CONFIRMED', 'DELIVERED'] }));
    expect(view.filter.status).toEqual(['CONFIRMED', 'DELIVERED']);
  });
});

describe('draftOf', () => {
  it('shows a view’s filter as the form would have it, and reads back the same view', () => {
    const draft: FilterDraft = {
      statuses: ['CANCELLED'],
      createdFrom: '2026-01-05',
      createdTo: '2026-01-07',
      totalMin: '10.00',
      totalMax: '99.95',
      currency: 'EUR',
    };
    const view = viewOf(apply(draft));
    expect(draftOf(view)).toEqual(draft);
    expect(activeFilterCount(view)).toBe(4);
    expect(activeFilterCount(DEFAULT_VIEW)).toBe(0);
    expect(draftOf(DEFAULT_VIEW)).toEqual(EMPTY_DRAFT);
  });
});
