import type { OrderStatus } from '@oms/order-lifecycle';
import { encodeEventCursor, type EventPosition } from '../domain/event-cursor.js';
import {
  endpointStatus,
  type WebhookDeliveryStatus,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from '../domain/webhook.model.js';
import type {
  NewWebhookEndpoint,
  WebhookEndpointPatch,
  WebhookStore,
} from '../domain/webhooks.service.js';
import { toDate, type SqlClient } from './sql.js';

/** An endpoint's columns as the API shows them: never its secrets. */
const ENDPOINT = `id, url, description, events::text[] as events, enabled, failing_since,
  created_at, last_delivery_at`;

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  events: OrderStatus[] | null;
  enabled: boolean;
  failing_since: Date | string | null;
  created_at: Date | string;
  last_delivery_at: Date | string | null;
}

const DELIVERIES = `
  select id, event_xid::text as xid, event_position::text as position, order_id, status::text,
         attempts, last_status_code, last_error, next_attempt_at, delivered_at
  from webhook_deliveries
  where endpoint_id = $1
    and ($2::text is null or (event_xid, event_position) < ($2::xid8, $3::bigint))
    and ($4::text is null or status = $4::text::webhook_delivery_status)
  order by event_xid desc, event_position desc
  limit $5`;

/**
 * Queues (again) the endpoint's events after a cursor up to where the dispatcher has read; what
 * lies beyond, the dispatcher queues itself. A delivery that exists is reset to a fresh PENDING
 * with the same id (and so the same `webhook-id`): a claim in flight loses its token.
 */
const REDELIVER = `
  with ep as (select id, events from webhook_endpoints where id = $1),
  cur as (select xid, position from webhook_dispatch_cursor where id = 1),
  queued as (
    insert into webhook_deliveries (id, endpoint_id, event_xid, event_position, order_id,
                                    order_version, event_at, next_attempt_at)
    select gen_random_uuid(), ep.id, t.xid, t.position, t.order_id, t.seq, t.at, now()
    from ep, cur, order_transitions t
    where (t.xid, t.position) > ($2::xid8, $3::bigint)
      and (t.xid, t.position) <= (cur.xid, cur.position)
      and (ep.events is null or t.to_status = any(ep.events))
    on conflict (endpoint_id, event_xid, event_position) do update set
      status = 'PENDING', next_attempt_at = now(), attempts = 0, claim_token = null,
      queued_at = now(), delivered_at = null, last_status_code = null, last_error = null
    returning 1
  )
  select (select count(*) from ep)::int as found, (select count(*) from queued)::int as queued`;

/** Webhook endpoints and their deliveries as rows. */
export class SqlWebhookStore implements WebhookStore {
  constructor(private readonly db: SqlClient) {}

  async list(): Promise<WebhookEndpointView[]> {
    const rows = await this.db.query<EndpointRow>(
      `select ${ENDPOINT} from webhook_endpoints order by created_at, id`,
      [],
    );
    return rows.map(endpointOf);
  }

  async find(id: string): Promise<WebhookEndpointView | null> {
    const rows = await this.db.query<EndpointRow>(
      `select ${ENDPOINT} from webhook_endpoints where id = $1`,
      [id],
    );
    return rows[0] === undefined ? null : endpointOf(rows[0]);
  }

  async create(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointView> {
    const rows = await this.db.query<EndpointRow>(
      `insert into webhook_endpoints (id, url, description, events, secret)
       values ($1, $2, $3, $4::text[]::order_status[], $5)
       returning ${ENDPOINT}`,
      [endpoint.id, endpoint.url, endpoint.description, endpoint.events, endpoint.secret],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('insert returned no endpoint');
    return endpointOf(row);
  }

  async update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointView | null> {
    const rows = await this.db.query<EndpointRow>(
      `update webhook_endpoints set
         url = coalesce($2, url),
         description = case when $3::boolean then $4 else description end,
         events = case when $5::boolean then $6::text[]::order_status[] else events end,
         enabled = coalesce($7::boolean, enabled),
         updated_at = now()
       where id = $1
       returning ${ENDPOINT}`,
      [
        id,
        patch.url ?? null,
        'description' in patch,
        patch.description ?? null,
        'events' in patch,
        patch.events ?? null,
        patch.enabled ?? null,
      ],
    );
    return rows[0] === undefined ? null : endpointOf(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query(`delete from webhook_endpoints where id = $1 returning id`, [
      id,
    ]);
    return rows.length > 0;
  }

  async rotate(
    id: string,
    secret: string,
    graceHours: number,
  ): Promise<WebhookEndpointView | null> {
    const rows = await this.db.query<EndpointRow>(
      `update webhook_endpoints set
         previous_secret = secret,
         previous_secret_expires_at = now() + $3::float8 * interval '1 hour',
         secret = $2,
         updated_at = now()
       where id = $1
       returning ${ENDPOINT}`,
      [id, secret, graceHours],
    );
    return rows[0] === undefined ? null : endpointOf(rows[0]);
  }

  async deliveries(
    endpointId: string,
    query: { limit: number; before: EventPosition | null; status: WebhookDeliveryStatus | null },
  ): Promise<WebhookDeliveryView[]> {
    const rows = await this.db.query<{
      id: string;
      xid: string;
      position: string;
      order_id: string;
      status: WebhookDeliveryStatus;
      attempts: number;
      last_status_code: number | null;
      last_error: string | null;
      next_attempt_at: Date | string | null;
      delivered_at: Date | string | null;
    }>(DELIVERIES, [
      endpointId,
      query.before?.xid ?? null,
      query.before?.position ?? null,
      query.status,
      query.limit,
    ]);
    return rows.map((r) => ({
      id: r.id,
      eventCursor: encodeEventCursor({ xid: r.xid, position: r.position }),
      orderId: r.order_id,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      nextAttemptAt: r.next_attempt_at === null ? null : toDate(r.next_attempt_at),
      deliveredAt: r.delivered_at === null ? null : toDate(r.delivered_at),
    }));
  }

  async redeliver(endpointId: string, after: EventPosition): Promise<number | null> {
    const rows = await this.db.query<{ found: number; queued: number }>(REDELIVER, [
      endpointId,
      after.xid,
      after.position,
    ]);
    const row = rows[0];
    return row === undefined || row.found === 0 ? null : row.queued;
  }
}

function endpointOf(row: EndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    status: endpointStatus(row.enabled, row.failing_since !== null),
    createdAt: toDate(row.created_at),
    lastDeliveryAt: row.last_delivery_at === null ? null : toDate(row.last_delivery_at),
  };
}
