import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { encodeEventCursor } from '../domain/event-cursor.js';
import type { OrderEvent as OrderEventRecord } from '../domain/order-event.js';
import type { GraphQLContext } from './context.js';
import {
  OrderEvent,
  OrderEventConnection,
  type OrderEventConnectionView,
  type OrderEventView,
} from './order-event.types.js';

/** Thin: arguments and the caller in, one service call, the answer shaped for GraphQL. */
@Resolver(() => OrderEvent)
export class OrderEventResolver {
  @Query(() => OrderEventConnection, {
    description:
      'Every transition as an event, oldest first, strictly after `after` (from the beginning when absent); `first` is 1..500 (default 100)',
  })
  async orderEvents(
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('orderId', () => ID, { nullable: true }) orderId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderEventConnectionView> {
    const page = await ctx.orderEvents.page(ctx.principal, first, after, orderId);
    const edges = page.events.map((event) => {
      const node = toView(event);
      return { cursor: node.cursor, node };
    });
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: false,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @Subscription(() => OrderEvent, {
    name: 'orderEvents',
    description:
      'With `after`: every event after that cursor, oldest first, then live ones, with no gap and no duplicate. Without: live from now. `id` narrows to one order',
    subscribe: async ({ args, context }) => {
      const { id, after } = args as { id?: string | null; after?: string | null };
      const { orderEvents, orders, events, principal } = context as GraphQLContext;
      const request = orderEvents.subscription(principal, id, after);
      // Registered before the check, so nothing committed while it runs is missed.
      const stream = events.events(request);
      if (request.filter.orderId !== null) {
        try {
          await orders.assertExists(principal, request.filter.orderId);
        } catch (error) {
          await stream.return?.();
          throw error;
        }
      }
      return stream;
    },
  })
  orderEventsLive(
    @Root() event: OrderEventRecord,
    @Arg('id', () => ID, { nullable: true }) _id: string | null,
    @Arg('after', () => String, { nullable: true }) _after: string | null,
  ): OrderEventView {
    return toView(event);
  }
}

function toView(event: OrderEventRecord): OrderEventView {
  return {
    cursor: encodeEventCursor(event.at),
    orderId: event.orderId,
    version: event.version,
    from: event.from,
    to: event.to,
    at: event.time,
    reason: event.reason,
    order: event.order,
  };
}
