import { useEffect } from 'react';

/** Names the tab after the page, so history and screen readers say where you are. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Orders`;
  }, [title]);
}
