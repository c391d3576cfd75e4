import { useEffect, useMemo } from 'react';

interface Throttled {
  (): void;
  cancel: () => void;
}

/**
 * `fn` at most once per `ms`: the first call runs at once, calls within the window fold into
 * one at its end, so a burst of events costs two calls and the last state is always fetched.
 */
function throttle(fn: () => void, ms: number): Throttled {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  const run = () => {
    fn();
    timer = setTimeout(() => {
      timer = null;
      if (pending) {
        pending = false;
        run();
      }
    }, ms);
  };
  const call = () => {
    if (timer === null) run();
    else pending = true;
  };
  call.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return call;
}

/** A throttled `fn` (see `throttle`), cancelled on unmount. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const throttled = useMemo(() => throttle(fn, ms), [fn, ms]);
  useEffect(() => throttled.cancel, [throttled]);
  return throttled;
}
