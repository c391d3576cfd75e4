/**
 * Settings for the Vite dev and preview servers (Node side). The browser bundle reads no
 * environment: it talks to `/graphql` on its own origin, which these servers proxy.
 */
const DEFAULT_ORDERS_API_URL = 'http://127.0.0.1:4000';

export interface WebServerSettings {
  /** Where `/graphql` (HTTP and WebSocket) is proxied to. */
  ordersApiUrl: string;
  port: number;
  host: string;
}

/** Reads WEB_PORT, WEB_HOST and ORDERS_API_URL; throws naming every bad variable. */
export function loadWebServerSettings(env: NodeJS.ProcessEnv = process.env): WebServerSettings {
  const problems: string[] = [];
  const ordersApiUrl = env.ORDERS_API_URL?.trim() || DEFAULT_ORDERS_API_URL;
  if (!/^https?:\/\/[^/]+/.test(ordersApiUrl)) {
    problems.push('ORDERS_API_URL: must be an http(s) URL such as http://127.0.0.1:4000');
  }
  const rawPort = env.WEB_PORT?.trim() || '5173';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push('WEB_PORT: must be a whole number from 0 to 65535');
  }
  const host = env.WEB_HOST?.trim() || '127.0.0.1';
  if (problems.length > 0) throw new Error(`Invalid web server settings:\n${problems.join('\n')}`);
  return { ordersApiUrl: ordersApiUrl.replace(/\/$/, ''), port, host };
}
