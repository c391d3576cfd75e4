import { useEffect, useState } from 'react';
import { type NextAction, nextActionText, secondsLeft } from './next-action.js';

/**
 * The order's next step with a live countdown. It ticks once a second from the clock, not from
 * the server; when the step falls due it says so and asks the page to re-read the order, since
 * the live event may lag (or the step may have been retried with a new due time).
 */
export function NextActionCountdown({ action, onDue }: { action: NextAction; onDue: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const due = secondsLeft(action, now) === 0;
  useEffect(() => {
    if (due) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [due, action.dueAt]);
  useEffect(() => {
    if (due) onDue();
  }, [due, onDue]);
  return (
    // role=timer is not announced on each tick (its live region is off), so screen readers
    // are not flooded; the text is there whenever the user reads it.
    <p className="next-action" role="timer" aria-label="Next step">
      {nextActionText(action, now)}
    </p>
  );
}
