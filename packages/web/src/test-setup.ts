import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
});

// jsdom (29) has <dialog> but not its methods. This stands in for the part the app uses:
// `showModal()` and `close()` toggle `open` (which is what makes the dialog visible and
// accessible) and `close()` fires `close`. No focus trapping, backdrop or top layer.
if (typeof HTMLDialogElement !== 'undefined' && !('showModal' in HTMLDialogElement.prototype)) {
  Object.assign(HTMLDialogElement.prototype, {
    show(this: HTMLDialogElement) {
      this.open = true;
    },
    showModal(this: HTMLDialogElement) {
      if (!this.isConnected) throw new DOMException('not connected', 'InvalidStateError');
      this.open = true;
    },
    close(this: HTMLDialogElement, returnValue?: string) {
      if (!this.open) return;
      if (returnValue !== undefined) this.returnValue = returnValue;
      this.open = false;
      this.dispatchEvent(new Event('close'));
    },
  });
}
