import { CloseCode, createClient, type Client } from 'graphql-ws';

/** Close codes after which retrying cannot help: the server refused who we are. */
export const REFUSED_CLOSE_CODES: readonly number[] = [CloseCode.Forbidden, CloseCode.Unauthorized];

/** Whether a close event (graphql-ws hands over the socket's CloseEvent) is such a refusal. */
export function isRefusal(event: unknown): boolean {
  const code = (event as { code?: unknown } | null)?.code;
  return typeof code === 'number' && REFUSED_CLOSE_CODES.includes(code);
}

/**
 * The one WebSocket to orders-api. It connects at once (not lazily) so the connection
 * indicator is true on every page, retries for ever with a capped backoff, and pings so a
 * silently dead connection is noticed within seconds.
 */
export function createWsClient(url: string, authorization: string | null = null): Client {
  return createClient({
    url,
    // Browsers cannot set headers on a WebSocket; the token travels in connection_init.
    connectionParams: () => (authorization === null ? {} : { authorization }),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Retry every outage, but not a refused token: the user has to sign in first.
    shouldRetry: (event) => !isRefusal(event),
    retryWait: async (retries) => {
      const ms = Math.min(10_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
}
