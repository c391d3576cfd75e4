import { createClient, type Client } from 'graphql-ws';

/**
 * The one WebSocket to orders-api. It connects at once (not lazily) so the connection
 * indicator is true on every page, retries for ever with a capped backoff, and pings so a
 * silently dead connection is noticed within seconds.
 */
export function createWsClient(url: string): Client {
  return createClient({
    url,
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = Math.min(10_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
}
