import { useCallback, useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import { searchProblem } from './list-view.js';

/** How long typing must pause before the search runs. */
export const SEARCH_PAUSE_MS = 400;

/**
 * The list's search box: the search runs once typing pauses, or at once on Enter. Text the API
 * would refuse (too short) is not sent; the shared rule's words say why.
 */
export function SearchBox(props: { value: string; onSearch: (text: string) => void }) {
  const id = useId();
  const [text, setText] = useState(props.value);
  // The last text checked (after a pause or on Enter) and what was wrong with it; shown only
  // while the box still holds that text.
  const [checked, setChecked] = useState<{ text: string; problem: string | null } | null>(null);
  const problem = checked !== null && checked.text === text ? checked.problem : null;
  // Follows the URL (back, forward, a shared link) without undoing what is being typed.
  const [shown, setShown] = useState(props.value);
  if (props.value !== shown) {
    setShown(props.value);
    if (props.value !== text.trim()) setText(props.value);
  }

  const { value, onSearch } = props;
  // The text last handed to onSearch, until the URL says otherwise. Enter runs the search before
  // the page re-renders with it; on a slow machine the pause's timer, set for the same text, can
  // fire before that re-render cancels it, and would send the search a second time (a second
  // history entry, so Back would not leave the search).
  const sent = useRef(value);
  useEffect(() => {
    sent.current = value;
  }, [value]);
  const run = useCallback(
    (current: string) => {
      const reason = searchProblem(current);
      setChecked({ text: current, problem: reason });
      if (reason !== null || current.trim() === value || current.trim() === sent.current) return;
      sent.current = current.trim();
      onSearch(current);
    },
    [value, onSearch],
  );

  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(() => {
      run(text);
    }, SEARCH_PAUSE_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [text, value, run]);

  function onSubmit(event: SyntheticEvent): void {
    event.preventDefault();
    run(text);
  }

  return (
    <form role="search" className="orders-search" onSubmit={onSubmit}>
      <label htmlFor={`${id}-search`}>Search orders</label>
      <input
        id={`${id}-search`}
        type="search"
        value={text}
        placeholder="#1042, SKU, item, customer name or email"
        autoComplete="off"
        aria-invalid={problem !== null}
        aria-describedby={problem === null ? `${id}-hint` : `${id}-error`}
        onChange={(e) => {
          setText(e.target.value);
        }}
      />
      {problem === null ? (
        <span id={`${id}-hint`} className="hint">
          An order number, or 3 or more characters of a SKU, item, customer name or email.
        </span>
      ) : (
        <span id={`${id}-error`} className="field-error">
          Search {problem}
        </span>
      )}
    </form>
  );
}
