import { Ctx, Query, Resolver } from 'type-graphql';
import type { OrderStatsView } from '../domain/order-stats.service.js';
import type { GraphQLContext } from './context.js';
import { OrderStats } from './order-stats.types.js';

/** Thin: the caller in, one service call out. */
@Resolver(() => OrderStats)
export class OrderStatsResolver {
  @Query(() => OrderStats, {
    description:
      "Counts per status, revenue per currency and orders created per minute over the last hour, of the caller's own orders (all orders for admins). A live dashboard refetches it on each orderEvents event",
  })
  orderStats(@Ctx() ctx: GraphQLContext): Promise<OrderStatsView> {
    return ctx.orderStats.stats(ctx.principal);
  }
}
