import { assertValidSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { OrderEventResolver } from './order-event.resolver.js';
import { OrderStatsResolver } from './order-stats.resolver.js';
import { OrderResolver } from './order.resolver.js';
import { WebhookResolver } from './webhook.resolver.js';

/**
 * type-graphql wants a PubSub even when every subscription brings its own `subscribe` (ours
 * come from the order event stream); this one is never used.
 */
const UNUSED_PUB_SUB: PubSub = {
  publish: () => undefined,
  subscribe: () => {
    throw new Error('subscriptions are set up by their resolvers');
  },
};

/** The executable schema; built once per process, and refused at once if invalid. */
export async function buildOrdersSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    pubSub: UNUSED_PUB_SUB,
    resolvers: [OrderResolver, OrderStatsResolver, OrderEventResolver, WebhookResolver],
    // Input is checked by the lifecycle rules in the service, not by class-validator.
    validate: false,
    // type-graphql's own check runs a whole introspection query at every start to reach graphql's
    // schema validation; asserting that directly costs a fraction, and graphql keeps its result
    // on the schema for every request.
    skipCheck: true,
  });
  assertValidSchema(schema);
  return schema;
}
