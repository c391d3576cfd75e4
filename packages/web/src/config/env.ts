/**
 * The SPA's settings, read once here and nowhere else. By default the app talks to `/graphql`
 * on its own origin (the dev and preview servers proxy it to orders-api), so it needs none.
 * `VITE_GRAPHQL_URL` points a build at another origin.
 */
function resolveHttpUrl(raw: string | undefined): URL {
  const value = raw?.trim() ?? '';
  try {
    return new URL(value === '' ? '/graphql' : value, window.location.href);
  } catch {
    throw new Error(`VITE_GRAPHQL_URL: must be a URL or a path, got ${JSON.stringify(value)}`);
  }
}

const httpUrl = resolveHttpUrl(import.meta.env.VITE_GRAPHQL_URL as string | undefined);
const wsUrl = new URL(httpUrl);
wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';

export const env = {
  graphqlHttpUrl: httpUrl.toString(),
  graphqlWsUrl: wsUrl.toString(),
  /** `GET /orders.csv` is served by orders-api beside `/graphql`. */
  ordersCsvUrl: new URL('orders.csv', httpUrl).toString(),
} as const;
