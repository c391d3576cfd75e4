import { ORDER_STATUSES, type OrderStatus } from '@oms/order-lifecycle';
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import { decodeEventCursor, type EventPosition } from './event-cursor.js';
import { OrderError, badInput } from './order-errors.js';
import type { Principal } from './principal.js';
import { webhookUrlProblem } from './webhook-destination.js';
import { newWebhookSecret } from './webhook-signature.js';
import type {
  WebhookDeliveryStatus,
  WebhookDeliveryView,
  WebhookEndpointView,
} from './webhook.model.js';

/** Largest page of deliveries a client may ask for. */
export const MAX_DELIVERY_PAGE = 100;
export const DEFAULT_DELIVERY_PAGE = 20;
const MAX_DESCRIPTION_LENGTH = 500;
/** How long the secret before a rotation keeps signing. */
export const PREVIOUS_SECRET_VALID_HOURS = 24;

/** What is stored about a new endpoint. */
export interface NewWebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: OrderStatus[] | null;
  secret: string;
}

/** Changes to an endpoint; absent fields stay as they are. */
export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  events?: OrderStatus[] | null;
  enabled?: boolean;
}

/** What the webhook use cases need from storage; each method is atomic on its own. */
export interface WebhookStore {
  list(): Promise<WebhookEndpointView[]>;
  find(id: string): Promise<WebhookEndpointView | null>;
  create(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointView>;
  /** Null when there is no such endpoint. */
  update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointView | null>;
  delete(id: string): Promise<boolean>;
  /** Makes `secret` the signing one and keeps the current one signing for `graceHours`. */
  rotate(id: string, secret: string, graceHours: number): Promise<WebhookEndpointView | null>;
  /** An endpoint's deliveries, newest event first, strictly before `before` when given. */
  deliveries(
    endpointId: string,
    query: { limit: number; before: EventPosition | null; status: WebhookDeliveryStatus | null },
  ): Promise<WebhookDeliveryView[]>;
  /**
   * Queues again every event after `after` (as far as the dispatcher has read) that the
   * endpoint subscribes to; returns how many. Null when there is no such endpoint.
   */
  redeliver(endpointId: string, after: EventPosition): Promise<number | null>;
}

/** Why a destination is refused, or null; resolves host names (the adapter knows how). */
export type DestinationCheck = (url: URL) => Promise<string | null>;

/** An endpoint and its secret, which the API shows this once. */
export interface WebhookEndpointCreated {
  endpoint: WebhookEndpointView;
  secret: string;
}

/** Input of createWebhookEndpoint, unchecked. */
export interface WebhookEndpointInput {
  url: string;
  events?: readonly string[] | null;
  description?: string | null;
}

/** Input of updateWebhookEndpoint, unchecked. */
export interface WebhookEndpointUpdate {
  url?: string | null;
  events?: readonly string[] | null;
  description?: string | null;
  enabled?: boolean | null;
}

/** A page of deliveries, newest event first. */
export interface WebhookDeliveryPage {
  deliveries: WebhookDeliveryView[];
  hasNextPage: boolean;
}

/**
 * Webhook endpoints: admins only (any other caller is FORBIDDEN: there is nothing of theirs
 * here to hide). Input is checked here, destinations too (again when sending: DNS may change).
 */
export class WebhooksService {
  constructor(
    private readonly store: WebhookStore,
    private readonly checkDestination: DestinationCheck,
    /** Told after endpoints were added, changed or removed (the dispatcher looks again). */
    private readonly onChanged: () => void = () => undefined,
  ) {}

  list(principal: Principal): Promise<WebhookEndpointView[]> {
    assertAdmin(principal);
    return this.store.list();
  }

  async create(principal: Principal, input: WebhookEndpointInput): Promise<WebhookEndpointCreated> {
    assertAdmin(principal);
    const url = await this.checkUrl(input.url);
    const events = checkEvents(input.events);
    const description = checkDescription(input.description);
    const secret = newWebhookSecret();
    const endpoint = await this.store.create({ id: uuidv7(), url, description, events, secret });
    this.onChanged();
    return { endpoint, secret };
  }

  async update(
    principal: Principal,
    rawId: string,
    input: WebhookEndpointUpdate,
  ): Promise<WebhookEndpointView> {
    assertAdmin(principal);
    const id = parseEndpointId(rawId);
    const patch: WebhookEndpointPatch = {};
    if (input.url !== undefined && input.url !== null) patch.url = await this.checkUrl(input.url);
    if (input.events !== undefined) patch.events = checkEvents(input.events);
    if (input.description !== undefined) patch.description = checkDescription(input.description);
    if (input.enabled !== undefined && input.enabled !== null) patch.enabled = input.enabled;
    const endpoint = (await this.store.update(id, patch)) ?? notFound(id);
    this.onChanged();
    return endpoint;
  }

  async delete(principal: Principal, rawId: string): Promise<boolean> {
    assertAdmin(principal);
    const id = parseEndpointId(rawId);
    return (await this.store.delete(id)) || notFound(id);
  }

  async rotateSecret(principal: Principal, rawId: string): Promise<WebhookEndpointCreated> {
    assertAdmin(principal);
    const id = parseEndpointId(rawId);
    const secret = newWebhookSecret();
    const endpoint = await this.store.rotate(id, secret, PREVIOUS_SECRET_VALID_HOURS);
    return { endpoint: endpoint ?? notFound(id), secret };
  }

  async redeliver(principal: Principal, rawId: string, after: string): Promise<number> {
    assertAdmin(principal);
    const id = parseEndpointId(rawId, 'endpointId');
    const position = decodeEventCursor(after, 'after');
    const queued = (await this.store.redeliver(id, position)) ?? notFound(id);
    this.onChanged();
    return queued;
  }

  /** One endpoint's deliveries; `after` is the cursor of the last one of the previous page. */
  async deliveries(
    principal: Principal,
    endpointId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    status: WebhookDeliveryStatus | null | undefined,
  ): Promise<WebhookDeliveryPage> {
    assertAdmin(principal);
    const size = first ?? DEFAULT_DELIVERY_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_DELIVERY_PAGE) {
      throw badInput([
        { field: 'first', message: `must be between 1 and ${String(MAX_DELIVERY_PAGE)}` },
      ]);
    }
    const before = after === null || after === undefined ? null : decodeEventCursor(after, 'after');
    const rows = await this.store.deliveries(endpointId, {
      limit: size + 1,
      before,
      status: status ?? null,
    });
    return { deliveries: rows.slice(0, size), hasNextPage: rows.length > size };
  }

  private async checkUrl(raw: string): Promise<string> {
    const problem = webhookUrlProblem(raw);
    if (problem !== null) throw badInput([{ field: 'input.url', message: problem }]);
    const url = new URL(raw);
    const refused = await this.checkDestination(url);
    if (refused !== null) {
      throw badInput([
        { field: 'input.url', message: `is not an allowed destination: ${refused}` },
      ]);
    }
    return url.href;
  }
}

function assertAdmin(principal: Principal): void {
  if (!principal.admin) {
    throw new OrderError('FORBIDDEN', 'Webhooks can be managed by admins only');
  }
}

function parseEndpointId(value: string, field = 'id'): string {
  if (!isUuid(value))
    throw badInput([{ field, message: 'must be a webhook endpoint id (a UUID)' }]);
  return value.toLowerCase();
}

function notFound(id: string): never {
  throw new OrderError('NOT_FOUND', `No webhook endpoint with id ${id}`, { id });
}

/** The statuses asked for, deduplicated in lifecycle order; null (all) when not given. */
function checkEvents(events: readonly string[] | null | undefined): OrderStatus[] | null {
  if (events === null || events === undefined) return null;
  if (events.length === 0) {
    throw badInput([
      { field: 'input.events', message: 'must name at least one status (or be left out for all)' },
    ]);
  }
  const unknown = events.find((e) => !(ORDER_STATUSES as readonly string[]).includes(e));
  if (unknown !== undefined) {
    throw badInput([{ field: 'input.events', message: `${unknown} is not an order status` }]);
  }
  return ORDER_STATUSES.filter((s) => events.includes(s));
}

function checkDescription(description: string | null | undefined): string | null {
  if (description === null || description === undefined) return null;
  const trimmed = description.trim();
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
    throw badInput([
      {
        field: 'input.description',
        message: `must be at most ${String(MAX_DESCRIPTION_LENGTH)} characters`,
      },
    ]);
  }
  return trimmed === '' ? null : trimmed;
}
