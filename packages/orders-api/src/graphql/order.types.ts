// type-graphql's decorators read through the Reflect metadata API, even with explicit type functions.
import 'reflect-metadata';
import {
  ACTOR_KINDS,
  NOTE_VISIBILITIES,
  ORDER_SORT_FIELDS,
  ORDER_STATUSES,
  SCHEDULED_ACTION_KINDS,
  SORT_DIRECTIONS,
  type OrderSortField as SortField,
  type SortDirection as Direction,
  type ActorKind as Kind,
  type NoteVisibility as Visibility,
  type OrderStatus as Status,
  type ScheduledActionKind as ActionKind,
} from '@oms/order-lifecycle';
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

/** Who can act on an order, from the lifecycle's list. */
export const ActorKind = Object.fromEntries(ACTOR_KINDS.map((k) => [k, k])) as { [K in Kind]: K };
registerEnumType(ActorKind, {
  name: 'ActorKind',
  description: 'A customer or an admin (people), the system, or the payment provider',
});

export const NoteVisibility = Object.fromEntries(NOTE_VISIBILITIES.map((v) => [v, v])) as {
  [K in Visibility]: K;
};
registerEnumType(NoteVisibility, {
  name: 'NoteVisibility',
  description: 'PUBLIC: whoever may see the order; INTERNAL: admins only',
});

export const ScheduledActionKind = Object.fromEntries(
  SCHEDULED_ACTION_KINDS.map((k) => [k, k]),
) as { [K in ActionKind]: K };
registerEnumType(ScheduledActionKind, {
  name: 'ScheduledActionKind',
  description: 'Background work on an order: its payment, its delivery, or giving money back',
});

export const OrderSortField = Object.fromEntries(ORDER_SORT_FIELDS.map((f) => [f, f])) as {
  [K in SortField]: K;
};
registerEnumType(OrderSortField, {
  name: 'OrderSortField',
  description: 'What a list of orders is sorted by; ties go by id, in the same direction',
});

export const SortDirection = Object.fromEntries(SORT_DIRECTIONS.map((d) => [d, d])) as {
  [K in Direction]: K;
};
registerEnumType(SortDirection, { name: 'SortDirection' });

// Every decorator names its type: esbuild (tsx, vitest) emits no decorator metadata.

@ObjectType({ description: 'Who did something to an order' })
export class Actor {
  @Field(() => ActorKind) kind!: Kind;
  @Field(() => String, {
    nullable: true,
    description:
      "The token's `sub` for people (`demo-customer` without access control); null for the system",
  })
  id!: string | null;
}

@ObjectType({ description: 'A note left on an order' })
export class OrderNote {
  @Field(() => ID) id!: string;
  @Field(() => String) text!: string;
  @Field(() => NoteVisibility) visibility!: Visibility;
  @Field(() => Actor) author!: Actor;
  @Field(() => DateTimeResolver) createdAt!: Date;
}

@ObjectType({ description: 'The background work pending on an order' })
export class ScheduledAction {
  @Field(() => ScheduledActionKind) kind!: ActionKind;
  @Field(() => DateTimeResolver, {
    description: 'When it is due; while it is being carried out, when that attempt times out',
  })
  dueAt!: Date;
  @Field(() => Int, { description: 'Attempts made so far (a payment retry is attempt n + 1)' })
  attempts!: number;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed' })
  lastError!: string | null;
}

@ObjectType({ description: 'Who ordered, as given at creation' })
export class Customer {
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
}

@ObjectType({ description: 'Where an order is shipped, as given at creation' })
export class Address {
  @Field(() => String) line1!: string;
  @Field(() => String, { nullable: true }) line2!: string | null;
  @Field(() => String) city!: string;
  @Field(() => String) postalCode!: string;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code' }) country!: string;
}

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
  @Field(() => Actor, { description: 'Who made the change' }) actor!: Actor;
}

@ObjectType()
export class Order {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: 'The human order number: unique, increasing from 1001' })
  number!: number;
  @Field(() => Int, { description: 'Number of transitions so far (1 once created)' })
  version!: number;
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
  @Field(() => Customer, { nullable: true, description: 'As given at creation' })
  customer!: Customer | null;
  @Field(() => Address, { nullable: true, description: 'As given at creation' })
  shippingAddress!: Address | null;
  @Field(() => ScheduledAction, { nullable: true, description: 'Null when nothing is pending' })
  nextAction!: ScheduledAction | null;
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

@InputType({ description: 'Name 1 to 200 characters; email a valid address of at most 254' })
export class CustomerInput {
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
}

@InputType({
  description: 'Lines, city and region at most 200 characters, postal code at most 20',
})
export class AddressInput {
  @Field(() => String) line1!: string;
  @Field(() => String, { nullable: true }) line2?: string | null;
  @Field(() => String) city!: string;
  @Field(() => String) postalCode!: string;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code, upper case (DE, US)' })
  country!: string;
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
  @Field(() => CustomerInput, { nullable: true, description: 'Checked when given' })
  customer?: CustomerInput | null;
  @Field(() => AddressInput, { nullable: true, description: 'Checked when given' })
  shippingAddress?: AddressInput | null;
}

/** A page of the newest-first list, shaped as a Relay connection. */
@InputType({
  description:
    'Which orders a list holds; every condition given must hold. A customer sees only their own orders whatever the filter',
})
export class OrderFilter {
  @Field(() => [OrderStatus], { nullable: true, description: 'Any of these; empty: any status' })
  status?: Status[] | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Created at or after (inclusive)' })
  createdAfter?: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Created before (exclusive)' })
  createdBefore?: Date | null;
  @Field(() => Int, { nullable: true, description: 'Total at least this (minor units, inclusive)' })
  totalMin?: number | null;
  @Field(() => Int, { nullable: true, description: 'Total at most this (minor units, inclusive)' })
  totalMax?: number | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217, upper case' })
  currency?: string | null;
  @Field(() => String, {
    nullable: true,
    description: "The customer's id (token `sub`); admins only",
  })
  customerId?: string | null;
}

@InputType({ description: 'How a list of orders is sorted' })
export class OrderOrder {
  @Field(() => OrderSortField) field!: SortField;
  @Field(() => SortDirection) direction!: Direction;
}

export interface OrderConnectionView {
  edges: { cursor: string; node: OrderView }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}
