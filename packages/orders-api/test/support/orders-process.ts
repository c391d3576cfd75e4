import { fileURLToPath } from 'node:url';
import { freePort, serviceEntry, startService, ServiceProcess } from '@oms/testing';

/** The orders-api package folder: the child's working directory. */
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface OrdersProcessOptions {
  /** Name used in error messages, e.g. `orders-1`. */
  name?: string;
  /** How long to wait for `GET /health`; a fresh embedded database takes a while to create. */
  readyTimeoutMs?: number;
}

/**
 * orders-api as a real child process (its bundle, as production runs it, unless the sources are
 * newer: see serviceEntry), on a free port chosen before it starts, so its URL is known without
 * reading its logs.
 */
export class OrdersProcess extends ServiceProcess {
  /**
   * Starts orders-api with exactly `env` (plus PATH and the like; ORDERS_PORT is replaced by a
   * free port) and resolves once `GET /health` answers. Rejects, with the child's output, if it
   * exits or is not ready in time.
   */
  static async start(env: Record<string, string>, options: OrdersProcessOptions = {}) {
    const port = await freePort();
    return startService(
      {
        name: options.name ?? `orders-api:${port}`,
        cwd: PACKAGE_DIR,
        entry: serviceEntry(PACKAGE_DIR),
        port,
        env: { ...env, ORDERS_PORT: String(port), ORDERS_HOST: '127.0.0.1' },
        readyPath: '/health',
        readyTimeoutMs: options.readyTimeoutMs ?? 45_000,
        stopGraceMs: 15_000,
      },
      OrdersProcess,
    );
  }

  /** The GraphQL endpoint, over HTTP. */
  get url(): string {
    return `${this.baseUrl}/graphql`;
  }

  /** The GraphQL endpoint, over WebSocket (graphql-ws). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/graphql`;
  }
}
