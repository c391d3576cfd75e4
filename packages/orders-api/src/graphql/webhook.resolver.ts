import { ORDER_STATUSES, type OrderStatus as Status } from '@oms/order-lifecycle';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type {
  WebhookDeliveryStatus as DeliveryStatus,
  WebhookEndpointView,
} from '../domain/webhook.model.js';
import type { WebhookEndpointCreated as Created } from '../domain/webhooks.service.js';
import type { GraphQLContext } from './context.js';
import { OrderStatus } from './order.types.js';
import {
  WebhookDeliveryConnection,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointInput,
  WebhookEndpointUpdate,
  type WebhookDeliveryConnectionView,
} from './webhook.types.js';

/** Webhook endpoints, admins only; thin: the service checks the caller and the input. */
@Resolver(() => WebhookEndpoint)
export class WebhookResolver {
  @Query(() => [WebhookEndpoint], { description: 'Every webhook endpoint (admins only)' })
  webhookEndpoints(@Ctx() ctx: GraphQLContext): Promise<WebhookEndpointView[]> {
    return ctx.webhooks.list(ctx.principal);
  }

  @FieldResolver(() => [OrderStatus])
  events(@Root() endpoint: WebhookEndpointView): Status[] {
    return endpoint.events ?? [...ORDER_STATUSES];
  }

  @FieldResolver(() => WebhookDeliveryConnection, {
    description: 'Newest event first; `first` is 1..100 (default 20)',
  })
  async deliveries(
    @Root() endpoint: WebhookEndpointView,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: DeliveryStatus | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookDeliveryConnectionView> {
    const page = await ctx.webhooks.deliveries(ctx.principal, endpoint.id, first, after, status);
    const edges = page.deliveries.map((node) => ({ node, cursor: node.eventCursor }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: false,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  }

  @Mutation(() => WebhookEndpointCreated, {
    description: 'The answer holds the signing secret: it is never shown again',
  })
  createWebhookEndpoint(
    @Arg('input', () => WebhookEndpointInput) input: WebhookEndpointInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Created> {
    return ctx.webhooks.create(ctx.principal, input);
  }

  @Mutation(() => WebhookEndpoint)
  updateWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => WebhookEndpointUpdate) input: WebhookEndpointUpdate,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookEndpointView> {
    return ctx.webhooks.update(ctx.principal, id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the endpoint and its deliveries' })
  deleteWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.webhooks.delete(ctx.principal, id);
  }

  @Mutation(() => WebhookEndpointCreated, {
    description: 'A new secret, shown this once; the old one keeps signing for 24 hours',
  })
  rotateWebhookSecret(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Created> {
    return ctx.webhooks.rotateSecret(ctx.principal, id);
  }

  @Mutation(() => Int, {
    description:
      'Queues again every event after the cursor the endpoint subscribes to; returns how many',
  })
  redeliverWebhookEvents(
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('after', () => String) after: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return ctx.webhooks.redeliver(ctx.principal, endpointId, after);
  }
}
