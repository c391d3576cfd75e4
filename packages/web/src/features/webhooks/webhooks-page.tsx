import { useApolloClient, useQuery } from '@apollo/client/react';
import { ORDER_STATUSES } from '@oms/order-lifecycle';
import { useActorRef, useSelector } from '@xstate/react';
import { useId, useState, type SyntheticEvent } from 'react';
import { Link } from 'react-router';
import { fromPromise } from 'xstate';
import { ErrorNotice } from '../../components/error-notice.js';
import { Loading } from '../../components/loading.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { formatDateTime } from '../../lib/dates.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import type { WebhookEndpointsQuery } from '../../lib/graphql/generated/graphql.js';
import { STATUS_LABELS } from '../../lib/status-labels.js';
import {
  addEndpointMachine,
  type CreatedEndpoint,
  type EndpointDraft,
} from './add-endpoint.machine.js';
import {
  CREATE_WEBHOOK_ENDPOINT,
  REDELIVER_WEBHOOK_EVENTS,
  WEBHOOK_ENDPOINTS,
} from './webhook.documents.js';

type Endpoint = WebhookEndpointsQuery['webhookEndpoints'][number];
type Delivery = Endpoint['deliveries']['edges'][number]['node'];

const ENDPOINT_STATUS_LABELS: Record<Endpoint['status'], string> = {
  HEALTHY: 'Healthy',
  FAILING: 'Failing',
  DISABLED: 'Disabled',
};
const DELIVERY_STATUS_LABELS: Record<Delivery['status'], string> = {
  PENDING: 'Pending',
  DELIVERED: 'Delivered',
  FAILED: 'Failed',
};
/** Deliveries shown per endpoint, newest first. */
const DELIVERIES_SHOWN = 20;
/** Statuses and attempts change in the background; the page reads them again this often. */
const POLL_MS = 2_000;

export function WebhooksPage() {
  useDocumentTitle('Webhooks');
  const { data, error, refetch } = useQuery(WEBHOOK_ENDPOINTS, {
    variables: { deliveries: DELIVERIES_SHOWN },
    pollInterval: POLL_MS,
    notifyOnNetworkStatusChange: false,
  });
  const endpoints = data?.webhookEndpoints;
  return (
    <section className="webhooks">
      <h1>Webhooks</h1>
      <p>
        Every order event is sent, signed (Standard Webhooks), to each endpoint that asks for its
        status, and retried until it is answered 2xx.
      </p>
      <AddEndpointForm onCreated={() => void refetch()} />
      <h2>Endpoints</h2>
      {error !== undefined && endpoints === undefined ? (
        <ErrorNotice title="The webhook endpoints could not be loaded.">
          <p>{problemsOf(error)[0]?.message}</p>
          <button type="button" onClick={() => void refetch()}>
            Try again
          </button>
        </ErrorNotice>
      ) : endpoints === undefined ? (
        <Loading label="Loading webhook endpoints" />
      ) : endpoints.length === 0 ? (
        <p className="empty">No endpoints yet.</p>
      ) : (
        endpoints.map((endpoint) => (
          <EndpointSection key={endpoint.id} endpoint={endpoint} onChanged={() => void refetch()} />
        ))
      )}
    </section>
  );
}

function AddEndpointForm({ onCreated }: { onCreated: () => void }) {
  const client = useApolloClient();
  const [machine] = useState(() =>
    addEndpointMachine.provide({
      actors: {
        createEndpoint: fromPromise<CreatedEndpoint, EndpointDraft>(async ({ input }) => {
          try {
            const result = await client.mutate({
              mutation: CREATE_WEBHOOK_ENDPOINT,
              variables: {
                input: {
                  url: input.url.trim(),
                  description: input.description.trim() === '' ? null : input.description,
                  events: input.events.length === 0 ? null : input.events,
                },
              },
            });
            const created = result.data?.createWebhookEndpoint;
            if (created == null) throw new Error('createWebhookEndpoint returned no data');
            return { id: created.endpoint.id, url: created.endpoint.url, secret: created.secret };
          } catch (error) {
            // The machine knows problems, not Apollo's error classes.
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw problemsOf(error);
          }
        }),
      },
      actions: { endpointCreated: onCreated },
    }),
  );
  const actor = useActorRef(machine);
  const draft = useSelector(actor, (s) => s.context.draft);
  const problems = useSelector(actor, (s) => s.context.problems);
  const created = useSelector(actor, (s) => s.context.created);
  const submitting = useSelector(actor, (s) => s.matches('submitting'));
  const id = useId();
  const problemOf = (field: string) => problems.find((p) => p.field === field)?.message;
  const urlProblem = problemOf('input.url');
  const other = problems.find((p) => p.field === undefined);

  const onSubmit = (event: SyntheticEvent) => {
    event.preventDefault();
    actor.send({ type: 'SUBMIT' });
  };

  if (created !== null) {
    return (
      <SecretOnce
        created={created}
        onDone={() => {
          actor.send({ type: 'DISMISS_SECRET' });
        }}
      />
    );
  }
  return (
    <form className="add-endpoint" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add an endpoint</h2>
      {other !== undefined ? (
        <ErrorNotice title="The endpoint was not added.">
          <p>{other.message}</p>
        </ErrorNotice>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-url`}>Endpoint URL</label>
        <input
          id={`${id}-url`}
          type="url"
          inputMode="url"
          placeholder="https://example.com/webhooks/orders"
          value={draft.url}
          aria-invalid={urlProblem !== undefined}
          aria-describedby={urlProblem !== undefined ? `${id}-url-error` : undefined}
          onChange={(e) => actor.send({ type: 'EDIT', field: 'url', value: e.target.value })}
        />
        {urlProblem !== undefined ? (
          <p className="field-error" id={`${id}-url-error`}>
            URL {urlProblem}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input
          id={`${id}-description`}
          value={draft.description}
          onChange={(e) =>
            actor.send({ type: 'EDIT', field: 'description', value: e.target.value })
          }
        />
        {problemOf('input.description') !== undefined ? (
          <p className="field-error">Description {problemOf('input.description')}</p>
        ) : null}
      </div>
      <fieldset className="field">
        <legend>Events (none chosen: all)</legend>
        {ORDER_STATUSES.map((status) => (
          <label key={status} className="checkbox">
            <input
              type="checkbox"
              checked={draft.events.includes(status)}
              onChange={() => actor.send({ type: 'TOGGLE_EVENT', status })}
            />{' '}
            {STATUS_LABELS[status]}
          </label>
        ))}
      </fieldset>
      <p>
        <button type="submit" disabled={submitting}>
          {submitting ? 'Adding…' : 'Add endpoint'}
        </button>
      </p>
    </form>
  );
}

/** The new secret, shown this once, with a way to copy it. */
function SecretOnce({ created, onDone }: { created: CreatedEndpoint; onDone: () => void }) {
  const id = useId();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  return (
    <div className="notice notice-success secret-once" role="status" aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>Endpoint added</h2>
      <p>
        Copy the signing secret of {created.url} now: it is shown only this once. Verify each
        request&apos;s <code>webhook-signature</code> with it.
      </p>
      <div className="field">
        <label htmlFor={`${id}-secret`}>Signing secret</label>
        <input
          id={`${id}-secret`}
          readOnly
          value={created.secret}
          onFocus={(e) => {
            e.target.select();
          }}
        />
      </div>
      <p>
        <button
          type="button"
          onClick={() => {
            navigator.clipboard.writeText(created.secret).then(
              () => {
                setCopied('yes');
              },
              () => {
                setCopied('failed');
              },
            );
          }}
        >
          Copy secret
        </button>{' '}
        <button type="button" className="secondary" onClick={onDone}>
          Done
        </button>{' '}
        <span aria-live="polite">
          {copied === 'yes'
            ? 'Copied.'
            : copied === 'failed'
              ? 'Could not copy: select the field and copy it.'
              : ''}
        </span>
      </p>
    </div>
  );
}

function EndpointSection({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const client = useApolloClient();
  const id = useId();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const deliveries = endpoint.deliveries.edges.map((e) => e.node);

  const redeliverAfter = async (delivery: Delivery) => {
    setBusy(true);
    try {
      const result = await client.mutate({
        mutation: REDELIVER_WEBHOOK_EVENTS,
        variables: { endpointId: endpoint.id, after: delivery.eventCursor },
      });
      const count = result.data?.redeliverWebhookEvents ?? 0;
      setNotice({
        ok: true,
        text: `${String(count)} ${count === 1 ? 'event' : 'events'} queued again.`,
      });
      onChanged();
    } catch (error) {
      setNotice({ ok: false, text: problemsOf(error)[0]?.message ?? 'Redelivery failed.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="endpoint" aria-labelledby={`${id}-url`}>
      <h3 id={`${id}-url`}>{endpoint.url}</h3>
      <dl className="endpoint-facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge badge-endpoint-${endpoint.status.toLowerCase()}`}>
            {ENDPOINT_STATUS_LABELS[endpoint.status]}
          </span>
        </dd>
        {endpoint.description != null ? (
          <>
            <dt>Description</dt>
            <dd>{endpoint.description}</dd>
          </>
        ) : null}
        <dt>Events</dt>
        <dd>
          {endpoint.events.length === ORDER_STATUSES.length
            ? 'All'
            : endpoint.events.map((s) => STATUS_LABELS[s]).join(', ')}
        </dd>
        <dt>Last delivery</dt>
        <dd>
          {endpoint.lastDeliveryAt == null ? (
            'None yet'
          ) : (
            <time dateTime={endpoint.lastDeliveryAt}>
              {formatDateTime(endpoint.lastDeliveryAt)}
            </time>
          )}
        </dd>
      </dl>
      {notice !== null ? (
        notice.ok ? (
          <p className="notice notice-success" role="status">
            {notice.text}
          </p>
        ) : (
          <ErrorNotice title="Could not redeliver.">{notice.text}</ErrorNotice>
        )
      ) : null}
      {deliveries.length === 0 ? (
        <p className="empty">No deliveries yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="deliveries-table">
            <caption>Deliveries to {endpoint.url}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Redeliver</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((delivery) => (
                <tr key={delivery.id}>
                  <td className="order-id">
                    <Link to={`/orders/${delivery.orderId}`}>{delivery.orderId}</Link>
                  </td>
                  <td>{DELIVERY_STATUS_LABELS[delivery.status]}</td>
                  <td className="num">{delivery.attempts}</td>
                  <td>{delivery.lastError ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      disabled={busy}
                      aria-label={`Redeliver every event after this one (order ${delivery.orderId}, ${DELIVERY_STATUS_LABELS[delivery.status].toLowerCase()})`}
                      onClick={() => void redeliverAfter(delivery)}
                    >
                      Redeliver after this
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
