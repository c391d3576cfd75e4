import type { FieldError } from '@oms/order-lifecycle';

/** Expected failures, each part of the public API through its code. */
export type OrderErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'ORDER_NOT_CANCELLABLE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'VERSION_CONFLICT';

/** A failure the caller can act on; the GraphQL edge turns it into `extensions.code`. */
export class OrderError extends Error {
  constructor(
    readonly code: OrderErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OrderError';
  }
}

/** A BAD_USER_INPUT error naming every field at fault; `prefix` is the argument name. */
export function badInput(errors: readonly FieldError[], prefix?: string): OrderError {
  const fields = errors.map((e) => ({
    field: prefix === undefined ? e.field : `${prefix}.${e.field}`,
    message: e.message,
  }));
  const first = fields[0];
  const summary = fields.map((f) => `${f.field} ${f.message}`).join('; ');
  return new OrderError('BAD_USER_INPUT', `Invalid input: ${summary}`, {
    field: first?.field,
    fields,
  });
}
