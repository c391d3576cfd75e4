import 'reflect-metadata';
import type { OrderStatus as Status } from '@oms/order-lifecycle';
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { OrderStatus } from './order.types.js';

// Every decorator names its type: esbuild (tsx, vitest) emits no decorator metadata.

@ObjectType({ description: 'How many orders are in one status' })
export class StatusCount {
  @Field(() => OrderStatus) status!: Status;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'A sum of money in one currency' })
export class MoneyTotal {
  @Field(() => String, { description: 'ISO 4217' }) currency!: string;
  @Field(() => SafeIntResolver, {
    description:
      'In minor units. A SafeInt (up to 2^53 - 1): a revenue sum outgrows a 32-bit Int long before it outgrows this',
  })
  amount!: number;
}

@ObjectType({ description: 'Orders created in one minute' })
export class MinuteCount {
  @Field(() => DateTimeResolver, { description: 'The start of the minute (UTC)' })
  minute!: Date;
  @Field(() => Int) count!: number;
}

@ObjectType({
  description:
    "Figures over the caller's orders (every order for admins). Not pushed: a live view refetches it when orderEvents (or orderUpdated) reports a transition",
})
export class OrderStats {
  @Field(() => [StatusCount], { description: 'Every status, in lifecycle order, zero included' })
  byStatus!: StatusCount[];
  @Field(() => [MoneyTotal], {
    description:
      'Totals of the orders that are CONFIRMED or DELIVERED, one per currency that has any, by currency',
  })
  revenue!: MoneyTotal[];
  @Field(() => [MinuteCount], {
    description:
      'Orders created in each of the last 60 minutes, oldest first, zero minutes included',
  })
  createdPerMinute!: MinuteCount[];
}
