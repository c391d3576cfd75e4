/**
 * The list's statements as orders-api runs them, for tools that explain them (the search bench):
 * the page with its items and history, and the builder under it for any column list.
 */
export { listStatement } from './order-list-statement.js';
export { pageStatement } from './order-repository.js';
