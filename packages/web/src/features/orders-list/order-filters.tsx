import { ORDER_STATUSES } from '@oms/order-lifecycle';
import { useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import { STATUS_LABELS } from '../../lib/status-labels.js';
import {
  activeFilterCount,
  applyDraft,
  draftOf,
  EMPTY_DRAFT,
  type FilterDraft,
  type FilterErrors,
  type FilterField,
} from './filter-form.js';
import type { ListView } from './list-view.js';

/** Wide screens show the form open; narrow ones start with it folded away. */
function startsOpen(): boolean {
  return typeof window.matchMedia !== 'function' || window.matchMedia('(min-width: 48rem)').matches;
}

/**
 * The list's filters (statuses, created dates, total range, currency) in a `<details>`, applied
 * together by "Apply"; "Clear" drops every filter. What is wrong is said next to its field.
 */
export function OrderFilters(props: {
  view: ListView;
  admin: boolean;
  onChange: (view: ListView) => void;
}) {
  const id = useId();
  const [open] = useState(startsOpen);
  const [draft, setDraft] = useState<FilterDraft>(() => draftOf(props.view));
  const [errors, setErrors] = useState<FilterErrors>({});
  // A new view from outside (back, forward, Clear, a link) replaces what the form shows.
  const [shown, setShown] = useState(props.view);
  if (props.view !== shown) {
    setShown(props.view);
    setDraft(draftOf(props.view));
    setErrors({});
  }

  const count = activeFilterCount(props.view);
  const set = (part: Partial<FilterDraft>) => {
    setDraft((d) => ({ ...d, ...part }));
  };

  function onSubmit(event: SyntheticEvent): void {
    event.preventDefault();
    const result = applyDraft(props.view, draft, { admin: props.admin });
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    props.onChange(result.view);
  }

  const fieldId = (field: FilterField) => `${id}-${field}`;
  const invalid = (field: FilterField) => ({
    'aria-invalid': errors[field] !== undefined,
    'aria-describedby':
      errors[field] !== undefined
        ? `${fieldId(field)}-error`
        : field === 'status' || field === 'currency'
          ? undefined
          : `${id}-hint`,
  });
  const error = (field: FilterField): ReactNode =>
    errors[field] === undefined ? null : (
      <span id={`${fieldId(field)}-error`} className="field-error">
        {errors[field]}
      </span>
    );

  return (
    <details className="order-filters" open={open}>
      <summary>Filters{count > 0 ? ` (${count} applied)` : ''}</summary>
      <form onSubmit={onSubmit} noValidate aria-label="Filters">
        <fieldset className="status-choices" {...invalid('status')}>
          <legend>Status</legend>
          {ORDER_STATUSES.map((status) => (
            <label key={status} className="checkbox">
              <input
                type="checkbox"
                name="status"
                value={status}
                checked={draft.statuses.includes(status)}
                onChange={(e) => {
                  const checked = e.target.checked;
                  setDraft((d) => ({
                    ...d,
                    statuses: ORDER_STATUSES.filter((s) =>
                      s === status ? checked : d.statuses.includes(s),
                    ),
                  }));
                }}
              />
              {STATUS_LABELS[status]}
            </label>
          ))}
          {error('status')}
        </fieldset>
        <div className="filter-fields">
          <div className="field">
            <label htmlFor={fieldId('createdFrom')}>Created from (UTC)</label>
            <input
              id={fieldId('createdFrom')}
              type="date"
              value={draft.createdFrom}
              onChange={(e) => {
                set({ createdFrom: e.target.value });
              }}
              {...invalid('createdFrom')}
            />
            {error('createdFrom')}
          </div>
          <div className="field">
            <label htmlFor={fieldId('createdTo')}>Created to (UTC)</label>
            <input
              id={fieldId('createdTo')}
              type="date"
              value={draft.createdTo}
              onChange={(e) => {
                set({ createdTo: e.target.value });
              }}
              {...invalid('createdTo')}
            />
            {error('createdTo')}
          </div>
          <div className="field">
            <label htmlFor={fieldId('currency')}>Currency</label>
            <input
              id={fieldId('currency')}
              value={draft.currency}
              maxLength={3}
              placeholder="EUR"
              autoCapitalize="characters"
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => {
                set({ currency: e.target.value.toUpperCase() });
              }}
              {...invalid('currency')}
            />
            {error('currency')}
          </div>
          <div className="field">
            <label htmlFor={fieldId('totalMin')}>Total from</label>
            <input
              id={fieldId('totalMin')}
              inputMode="decimal"
              value={draft.totalMin}
              placeholder="10.00"
              autoComplete="off"
              onChange={(e) => {
                set({ totalMin: e.target.value });
              }}
              {...invalid('totalMin')}
            />
            {error('totalMin')}
          </div>
          <div className="field">
            <label htmlFor={fieldId('totalMax')}>Total to</label>
            <input
              id={fieldId('totalMax')}
              inputMode="decimal"
              value={draft.totalMax}
              placeholder="250.00"
              autoComplete="off"
              onChange={(e) => {
                set({ totalMax: e.target.value });
              }}
              {...invalid('totalMax')}
            />
            {error('totalMax')}
          </div>
        </div>
        <p className="hint" id={`${id}-hint`}>
          Dates are days in UTC, both included. Totals are in the currency chosen.
        </p>
        <div className="filter-actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(EMPTY_DRAFT);
              setErrors({});
              if (count > 0 || props.view.filter.customerId != null) {
                props.onChange({ ...props.view, filter: {} });
              }
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
    </details>
  );
}
