import 'reflect-metadata';
import type { OrderStatus as Status } from '@oms/order-lifecycle';
import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ENDPOINT_STATUSES,
  type WebhookDeliveryStatus as DeliveryStatus,
  type WebhookDeliveryView,
  type WebhookEndpointStatus as EndpointStatus,
} from '../domain/webhook.model.js';
import { OrderStatus, PageInfo } from './order.types.js';

export const WebhookEndpointStatus = Object.fromEntries(
  WEBHOOK_ENDPOINT_STATUSES.map((s) => [s, s]),
) as { [K in EndpointStatus]: K };
registerEnumType(WebhookEndpointStatus, {
  name: 'WebhookEndpointStatus',
  description:
    'HEALTHY: the last attempt was delivered (or none failed); FAILING: the last attempt failed; DISABLED: turned off, by an admin or by a 410 Gone',
});

export const WebhookDeliveryStatus = Object.fromEntries(
  WEBHOOK_DELIVERY_STATUSES.map((s) => [s, s]),
) as { [K in DeliveryStatus]: K };
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: to be sent or retried; DELIVERED: answered 2xx; FAILED: retries ran out',
});

@ObjectType({ description: 'One event for one endpoint, and how sending it went' })
export class WebhookDelivery {
  @Field(() => ID, {
    description: 'The `webhook-id` header: one per event and endpoint, same on retries',
  })
  id!: string;
  @Field(() => String, { description: "The event's cursor (as in orderEvents)" })
  eventCursor!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => WebhookDeliveryStatus) status!: DeliveryStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) lastStatusCode!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) nextAttemptAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) deliveredAt!: Date | null;
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => WebhookDelivery) node!: WebhookDelivery;
}

@ObjectType({ description: "A page of an endpoint's deliveries, newest event first" })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge]) edges!: WebhookDeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: 'An HTTP endpoint sent signed order events (Standard Webhooks)' })
export class WebhookEndpoint {
  @Field(() => ID) id!: string;
  @Field(() => String) url!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [OrderStatus], {
    description: 'Which transitions (by `to`) are sent; all when created without',
  })
  events!: Status[];
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => WebhookEndpointStatus) status!: EndpointStatus;
  @Field(() => DateTimeResolver) createdAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) lastDeliveryAt!: Date | null;
}

@ObjectType({ description: 'An endpoint and its signing secret, which is shown this once' })
export class WebhookEndpointCreated {
  @Field(() => WebhookEndpoint) endpoint!: WebhookEndpoint;
  @Field(() => String, { description: '`whsec_<base64>`; never shown again' }) secret!: string;
}

@InputType()
export class WebhookEndpointInput {
  @Field(() => String, { description: 'http(s) URL the events are POSTed to' }) url!: string;
  @Field(() => [OrderStatus], {
    nullable: true,
    description: 'Which `to` statuses; all when absent',
  })
  events?: Status[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType()
export class WebhookEndpointUpdate {
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [OrderStatus], { nullable: true }) events?: Status[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

/** A page of deliveries, shaped as a Relay connection. */
export interface WebhookDeliveryConnectionView {
  edges: { cursor: string; node: WebhookDeliveryView }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}
