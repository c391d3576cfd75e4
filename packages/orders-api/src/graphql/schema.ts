import type { GraphQLSchema } from 'graphql';
import type { PubSub } from 'type-graphql';
import { buildSchema } from 'type-graphql';
import { OrderResolver } from './order.resolver.js';

/** The executable schema; built once per process. */
export function buildOrdersSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  return buildSchema({
    pubSub,
    resolvers: [OrderResolver],
    // Input is checked by the lifecycle rules in the service, not by class-validator.
    validate: false,
  });
}
