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

/** Largest number of tokens in one operation document. */
export const MAX_TOKENS = 5_000;

/**
 * Limits on what one operation may ask for: nesting depth, aliases, directives, tokens and an
 * estimated cost. Over HTTP all of them come from graphql-armor; the WebSocket server applies
 * the validation rules and MAX_TOKENS itself (see http/server.ts).
 */
export function operationLimits() {
  return new ApolloArmor({
    maxDepth: { n: 8 },
    maxAliases: { n: 15 },
    maxDirectives: { n: 20 },
    maxTokens: { n: MAX_TOKENS },
    costLimit: { maxCost: 5_000 },
  }).protect();
}
