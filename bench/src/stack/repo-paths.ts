import { fileURLToPath } from 'node:url';

/** The bench package folder. */
export const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The repository root; the services are started from their own package folders in it. */
export const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url));
export const ORDERS_API_DIR = `${REPO_DIR}packages/orders-api`;
export const PAYMENTS_API_DIR = `${REPO_DIR}packages/payments-api`;
