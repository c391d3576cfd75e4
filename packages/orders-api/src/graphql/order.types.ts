// type-graphql's decorators read through the Reflect metadata API, even with explicit type functions.
import 'reflect-metadata';
import { ORDER_STATUSES, type OrderStatus as Status } from '@oms/order-lifecycle';
import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { OrderView } from '../domain/order.model.js';

/** The GraphQL enum, built from the lifecycle's list so the two cannot drift apart. */
export const OrderStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, s])) as {
  [K in Status]: K;
};
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'Where an order is in its lifecycle',
});

// Every decorator names its type: esbuild (tsx, vitest) emits no decorator metadata.

@ObjectType({ description: 'One line of an order' })
export class OrderItem {
  @Field(() => String) sku!: string;
  @Field(() => String) name!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => Int, { description: 'Price of one unit in minor units of the currency (cents)' })
  unitPrice!: number;
}

@ObjectType({ description: 'A change of status; the first has no `from`' })
export class OrderTransition {
  @Field(() => OrderStatus, { nullable: true }) from!: Status | null;
  @Field(() => OrderStatus) to!: Status;
  @Field(() => DateTimeResolver) at!: Date;
  @Field(() => String, { nullable: true }) reason!: string | null;
}

@ObjectType()
export class Order {
  @Field(() => ID) id!: string;
  @Field(() => OrderStatus) status!: Status;
  @Field(() => [OrderItem]) items!: OrderItem[];
  @Field(() => Int, { description: 'Sum of quantity × unitPrice, in minor units' }) total!: number;
  @Field(() => String, { description: 'ISO 4217 code' }) currency!: string;
  @Field(() => String, {
    description: "Whose order it is: the token's `sub`, or `demo-customer` without access control",
  })
  customerId!: string;
  @Field(() => DateTimeResolver) createdAt!: Date;
  @Field(() => DateTimeResolver) updatedAt!: Date;
  @Field(() => String, { nullable: true }) cancellationReason!: string | null;
  @Field(() => [OrderTransition], {
    description: 'Every transition, oldest first, CREATED included',
  })
  history!: OrderTransition[];
}

@ObjectType()
export class OrderEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Order) node!: Order;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({ description: 'A page of orders, newest first' })
export class OrderConnection {
  @Field(() => [OrderEdge]) edges!: OrderEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType()
export class OrderItemInput {
  @Field(() => String) sku!: string;
  @Field(() => String) name!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => Int, { description: 'Minor units (cents)' }) unitPrice!: number;
}

@InputType()
export class CreateOrderInput {
  @Field(() => [OrderItemInput]) items!: OrderItemInput[];
  @Field(() => String, { nullable: true, description: 'ISO 4217 code; USD when absent' })
  currency?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Mocked payment credential: tok_approve or tok_decline force the outcome',
  })
  paymentToken?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Repeat a create safely: the same key returns the same order and pays once',
  })
  idempotencyKey?: string | null;
}

/** A page of the newest-first list, shaped as a Relay connection. */
export interface OrderConnectionView {
  edges: { cursor: string; node: OrderView }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}
