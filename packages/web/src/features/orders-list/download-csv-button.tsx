import { useState } from 'react';
import { env } from '../../config/env.js';
import { authorizationOf, readAccessToken } from '../../lib/auth/access-token.js';
import { fetchOrdersCsv, saveFile } from './orders-csv.js';

type State = { kind: 'idle' } | { kind: 'preparing' } | { kind: 'failed'; message: string };

/** "Download CSV" of the list as shown: `params` are the view's own URL parameters. */
export function DownloadCsvButton(props: { params: URLSearchParams }) {
  const [state, setState] = useState<State>({ kind: 'idle' });

  async function download(): Promise<void> {
    setState({ kind: 'preparing' });
    const query = props.params.toString();
    const url = query === '' ? env.ordersCsvUrl : `${env.ordersCsvUrl}?${query}`;
    const result = await fetchOrdersCsv(url, authorizationOf(readAccessToken()));
    if (!result.ok) {
      setState({ kind: 'failed', message: result.message });
      return;
    }
    saveFile(result.blob, result.filename);
    setState({ kind: 'idle' });
  }

  return (
    <div className="download-csv">
      <button
        type="button"
        className="secondary"
        disabled={state.kind === 'preparing'}
        onClick={() => void download()}
      >
        Download CSV
      </button>
      <span role="status" className="hint">
        {state.kind === 'preparing' ? 'Preparing CSV…' : ''}
      </span>
      {state.kind === 'failed' ? (
        <p role="alert" className="field-error">
          The CSV could not be downloaded. {state.message}
        </p>
      ) : null}
    </div>
  );
}
