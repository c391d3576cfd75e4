export * from './lifecycle.js';
export * from './order-rules.js';
