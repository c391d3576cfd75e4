export * from './lifecycle.js';
export * from './order-rules.js';
export * from './order-query-rules.js';
