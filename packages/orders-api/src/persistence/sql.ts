export type { SqlClient } from '@oms/database';

/** A timestamp as either driver returns it. */
export const toDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(value);

/**
 * Whether a failed statement was refused for its data (SQLSTATE classes 22, data exception, and
 * 23, integrity constraint violation) rather than for the connection or the server: the same
 * rows would fail again, other rows would not.
 */
export function isDataError(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 3; depth++) {
    if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') {
      return e.code;
    }
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}
