import { useEffect, useRef, type RefObject } from 'react';

/**
 * Keeps a native <dialog> shown as a modal exactly while `open` is true. The browser then
 * traps focus inside it, returns focus on close, and makes the rest of the page inert.
 */
export function useModalDialog(open: boolean): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
