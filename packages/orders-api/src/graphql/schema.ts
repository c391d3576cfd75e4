import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLSchema } from 'graphql';
import type { PubSub } from 'type-graphql';
import { buildSchema } from 'type-graphql';
import { OrderResolver } from '../orders/order.resolver.js';

/** The executable schema; built once per process. */
export function buildOrdersSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  return buildSchema({
    pubSub,
    resolvers: [OrderResolver],
    // Input is checked by the lifecycle rules in the service, not by class-validator.
    validate: false,
  });
}

/**
 * Limits on what one operation may ask for, applied on HTTP and WebSocket alike: nesting depth,
 * aliases, directives, tokens and an estimated cost.
 */
export function operationLimits() {
  return new ApolloArmor({
    maxDepth: { n: 8 },
    maxAliases: { n: 15 },
    maxDirectives: { n: 20 },
    maxTokens: { n: 5_000 },
    costLimit: { maxCost: 5_000 },
  }).protect();
}
