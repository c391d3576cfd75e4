import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_PAUSE_MS, SearchBox } from './search-box.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function renderBox(value = '') {
  const onSearch = vi.fn<(text: string) => void>();
  const view = render(<SearchBox value={value} onSearch={onSearch} />);
  const box = screen.getByRole('searchbox', { name: 'Search orders' });
  const type = (text: string) => {
    fireEvent.change(box, { target: { value: text } });
  };
  const pause = (ms = SEARCH_PAUSE_MS) => {
    act(() => {
      vi.advanceTimersByTime(ms);
    });
  };
  return { ...view, box, onSearch, type, pause };
}

describe('SearchBox', () => {
  it('searches once typing pauses, not at each keystroke', () => {
    const { onSearch, type, pause } = renderBox();
    type('m');
    pause(SEARCH_PAUSE_MS - 1);
    type('mu');
    pause(SEARCH_PAUSE_MS - 1);
    type('mug');
    expect(onSearch).not.toHaveBeenCalled();
    pause();
    expect(onSearch).toHaveBeenCalledExactlyOnceWith('mug');
  });

  it('searches at once on Enter', () => {
    const { box, onSearch, type } = renderBox();
    type('#1042');
    fireEvent.submit(box);
    expect(onSearch).toHaveBeenCalledExactlyOnceWith('#1042');
  });

  it('sends a search once when the pause ends before the page has re-rendered with it', () => {
    // On a slow machine the URL (the value) can lag behind Enter by more than the pause.
    const { box, onSearch, type, pause, rerender } = renderBox();
    type('#1042');
    fireEvent.submit(box);
    pause();
    expect(onSearch).toHaveBeenCalledExactlyOnceWith('#1042');
    // Back to the plain list, then the same search again: it is sent again.
    rerender(<SearchBox value="#1042" onSearch={onSearch} />);
    rerender(<SearchBox value="" onSearch={onSearch} />);
    type('#1042');
    pause();
    expect(onSearch).toHaveBeenCalledTimes(2);
  });

  it('does not send text that is too short, and says why in the shared rule’s words', () => {
    const { box, onSearch, type, pause } = renderBox();
    type('ab');
    pause();
    fireEvent.submit(box);
    expect(onSearch).not.toHaveBeenCalled();
    expect(box.getAttribute('aria-invalid')).toBe('true');
    const description = document.getElementById(box.getAttribute('aria-describedby') ?? '');
    expect(description?.textContent).toMatch(/^Search must be .*at least 3 characters$/);
    // Typing on hides the message until the text is checked again.
    type('abc');
    expect(box.getAttribute('aria-invalid')).toBe('false');
    pause();
    expect(onSearch).toHaveBeenCalledExactlyOnceWith('abc');
  });

  it('clearing the box searches for everything again', () => {
    const { onSearch, type, pause } = renderBox('mug');
    type('');
    pause();
    expect(onSearch).toHaveBeenCalledExactlyOnceWith('');
  });

  it('follows a new value from the URL, and does not search for it again', () => {
    const { box, onSearch, rerender, pause } = renderBox('mug');
    rerender(<SearchBox value="lamp" onSearch={onSearch} />);
    expect((box as HTMLInputElement).value).toBe('lamp');
    pause();
    expect(onSearch).not.toHaveBeenCalled();
  });
});
