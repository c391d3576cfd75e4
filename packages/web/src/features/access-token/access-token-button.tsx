import { useId, useState } from 'react';
import { peekClaims, readAccessToken, writeAccessToken } from '../../lib/auth/access-token.js';
import { useModalDialog } from '../../components/use-modal-dialog.js';

/**
 * Lets the user give the bearer token orders-api asks for when it runs with per-customer access.
 * Saving reloads the tab, so the HTTP link, the WebSocket and the IDE all start with it.
 */
export function AccessTokenButton({
  reload = () => window.location.reload(),
}: {
  reload?: () => void;
}) {
  const [current] = useState(() => readAccessToken());
  const claims = current === null ? null : peekClaims(current);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(current ?? '');
  const id = useId();

  const dialogRef = useModalDialog(open);

  const label =
    current === null
      ? 'Sign in'
      : `Signed in as ${claims?.subject ?? 'token holder'}${claims?.admin === true ? ' (admin)' : ''}`;
  return (
    <>
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${id}-title`}
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
      >
        {open ? (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              writeAccessToken(draft);
              reload();
            }}
          >
            <h2 id={`${id}-title`}>Access token</h2>
            <p>
              When orders-api runs with per-customer access, it needs a bearer token (a JWT) and
              shows each customer only their own orders. The token is kept for this tab only.
            </p>
            <div className="field">
              <label htmlFor={`${id}-token`}>Access token (JWT)</label>
              <textarea
                id={`${id}-token`}
                rows={4}
                spellCheck={false}
                autoComplete="off"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
              />
            </div>
            <div className="dialog-actions">
              <button type="submit">Save and reload</button>
              {current === null ? null : (
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    writeAccessToken(null);
                    reload();
                  }}
                >
                  Sign out
                </button>
              )}
              <button type="button" className="secondary" onClick={() => setOpen(false)}>
                Close
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}
