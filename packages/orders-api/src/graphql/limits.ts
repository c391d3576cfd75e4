import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * Every limit on what a client may send, in one place (the README's GraphQL API section lists
 * them). Two more live with what they bound: the page size (`MAX_PAGE_SIZE`, domain/orders.service.ts)
 * and the HTTP body (`MAX_BODY_BYTES`, a setting). Over HTTP one request runs one operation:
 * batches are refused and a document with several needs `operationName`.
 */
export const LIMITS = {
  /** Nesting of selections, inline fragments counted. */
  maxDepth: 8,
  maxAliases: 15,
  maxDirectives: 20,
  /** Tokens in one document, checked while parsing, before anything else. */
  maxTokens: 5_000,
  /** graphql-armor's estimate: each field and list level adds up. */
  maxCost: 5_000,
  /** Largest WebSocket message; a larger one closes the socket with 1009 (message too big). */
  wsMaxPayloadBytes: 64 * 1024,
  /** A socket that has not sent connection_init by then is closed with 4408. */
  wsConnectionInitTimeoutMs: 3_000,
  /** Operations running at once on one socket; one more is refused, the others go on. */
  wsMaxSubscriptions: 100,
} as const;

/** Largest number of tokens in one operation document. */
export const MAX_TOKENS = LIMITS.maxTokens;

/**
 * Limits on what one operation may ask for: nesting depth, aliases, directives and an estimated
 * cost, as graphql-armor validation rules for both transports. Tokens are counted by the parser
 * (MAX_TOKENS, in the operation pipeline's parse options).
 */
export function operationLimits() {
  return new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth },
    maxAliases: { n: LIMITS.maxAliases },
    maxDirectives: { n: LIMITS.maxDirectives },
    // Its Apollo plugin throws outside parsing, which Apollo answers with a 500.
    maxTokens: { enabled: false },
    costLimit: { maxCost: LIMITS.maxCost },
  }).protect();
}
