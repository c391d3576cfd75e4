import { filter } from '@graphql-yoga/subscription';
import type { OrderStatus as Status } from '@oms/order-lifecycle';
import type { NoteVisibility as Visibility } from '@oms/order-lifecycle';
import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { NoteView, OrderView } from '../domain/order.model.js';
import { canAccess } from '../domain/principal.js';
import type { GraphQLContext } from './context.js';
import {
  CreateOrderInput,
  NoteVisibility,
  Order,
  OrderConnection,
  OrderFilter,
  OrderNote,
  OrderOrder,
  OrderStatus,
  type OrderConnectionView,
} from './order.types.js';

/** Thin: arguments and the caller in, one service call, the answer shaped for GraphQL. */
@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'Null when there is no such order' })
  order(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<OrderView | null> {
    return ctx.orders.findOrder(ctx.principal, id);
  }

  @Query(() => Order, {
    nullable: true,
    description:
      'The order with this number; null when there is none (or it is another customer’s)',
  })
  orderByNumber(
    @Arg('number', () => Int) number: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderView | null> {
    return ctx.orders.findOrderByNumber(ctx.principal, number);
  }

  @Query(() => OrderConnection, {
    description:
      'Newest first unless orderBy says otherwise; `first` is 1..100 (default 20). `search` finds an order number (1042 or #1042) or text (3+ characters) in SKUs, item names and the customer’s name or email, ignoring case. A cursor continues only the list it came from',
  })
  async orders(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => OrderStatus, {
      nullable: true,
      description: 'One status; kept for older clients (filter.status takes several)',
    })
    status: Status | null,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter: OrderFilter | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Arg('orderBy', () => OrderOrder, { nullable: true }) orderBy: OrderOrder | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderConnectionView> {
    const page = await ctx.orders.listOrders(ctx.principal, {
      first,
      after,
      status,
      filter,
      search,
      orderBy,
    });
    return {
      edges: page.orders.map((node, i) => ({ node, cursor: page.cursors[i] ?? '' })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: false,
        startCursor: page.cursors[0] ?? null,
        endCursor: page.cursors[page.cursors.length - 1] ?? null,
      },
    };
  }

  @Mutation(() => Order, { description: 'Returns at once with status CREATED; payment follows' })
  createOrder(
    @Arg('input', () => CreateOrderInput) input: CreateOrderInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderView> {
    return ctx.orders.createOrder(ctx.principal, input);
  }

  @Mutation(() => Order, {
    description:
      'CREATED or CONFIRMED orders only; CANCELLED ones come back unchanged. With expectedVersion, only while the order is at that version (else VERSION_CONFLICT, nothing changed)',
  })
  cancelOrder(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OrderView> {
    return ctx.orders.cancelOrder(ctx.principal, id, reason, expectedVersion);
  }

  @Mutation(() => OrderNote, {
    description:
      'PUBLIC by default; customers add PUBLIC notes to their own orders, only admins add INTERNAL ones. Text 1 to 2,000 characters, trimmed',
  })
  addOrderNote(
    @Arg('orderId', () => ID) orderId: string,
    @Arg('text', () => String) text: string,
    @Arg('visibility', () => NoteVisibility, { nullable: true }) visibility: Visibility | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NoteView> {
    return ctx.orders.addNote(ctx.principal, orderId, text, visibility);
  }

  @FieldResolver(() => [OrderNote], {
    description: 'Oldest first; INTERNAL ones only for admins',
  })
  notes(@Root() order: OrderView, @Ctx() ctx: GraphQLContext): Promise<NoteView[]> {
    return ctx.orders.notesOf(ctx.principal, order);
  }

  @Subscription(() => Order, {
    description:
      "One event per transition; with id, that order only; without, all the caller's orders",
    subscribe: async ({ args, context }) => {
      const { id } = args as { id?: string | null };
      const { orders, events, principal } = context as GraphQLContext;
      if (id !== undefined && id !== null) {
        // Registered before the check, so nothing committed while it runs is missed; checked
        // once: an order never changes hands.
        const live = events.subscribe(id.toLowerCase());
        try {
          await orders.assertExists(principal, id);
        } catch (error) {
          await live.return?.();
          throw error;
        }
        return live;
      }
      // Events carry the whole order, its customer included: filtered here, not loaded again.
      return filter((order: OrderView) => canAccess(principal, order.customerId))(
        events.subscribe(null),
      );
    },
  })
  orderUpdated(
    @Root() order: OrderView,
    @Arg('id', () => ID, { nullable: true }) _id: string | null,
  ): OrderView {
    return order;
  }
}
