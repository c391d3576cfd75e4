// type-graphql's decorators read through the Reflect metadata API, even with explicit type functions.
import 'reflect-metadata';
import type { OrderStatus as Status } from '@oms/order-lifecycle';
import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { OrderView } from '../domain/order.model.js';
import { Order, OrderStatus, PageInfo } from './order.types.js';

@ObjectType({ description: 'One transition of an order, with its place in the log' })
export class OrderEvent {
  @Field(() => String, {
    description: 'Opaque; events sort by it as strings in log order. Resume after it with `after`',
  })
  cursor!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => Int, { description: "The order's version after this transition (1 for CREATED)" })
  version!: number;
  @Field(() => OrderStatus, { nullable: true, description: 'Null for CREATED' })
  from!: Status | null;
  @Field(() => OrderStatus) to!: Status;
  @Field(() => DateTimeResolver) at!: Date;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => Order, { description: 'The order as of this event' }) order!: Order;
}

@ObjectType()
export class OrderEventEdge {
  @Field(() => String) cursor!: string;
  @Field(() => OrderEvent) node!: OrderEvent;
}

@ObjectType({ description: 'A page of order events, oldest first' })
export class OrderEventConnection {
  @Field(() => [OrderEventEdge]) edges!: OrderEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

/** An event as GraphQL shows it. */
export interface OrderEventView {
  cursor: string;
  orderId: string;
  version: number;
  from: Status | null;
  to: Status;
  at: Date;
  reason: string | null;
  order: OrderView;
}

/** A page of events, shaped as a Relay connection. */
export interface OrderEventConnectionView {
  edges: { cursor: string; node: OrderEventView }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}
