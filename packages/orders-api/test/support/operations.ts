import type { Stack } from './stack.js';

/** What one query or mutation answered over a WebSocket: its data, or its errors. */
export interface SocketAnswer<T> {
  data: T | undefined;
  errors: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * Runs one query or mutation over graphql-ws (the stack's WebSocket), as a browser tab does
 * through its one connection; `connectionParams` carry the token.
 */
export async function overSocket<T>(
  stack: Stack,
  query: string,
  variables: Record<string, unknown> = {},
  connectionParams?: Record<string, unknown>,
): Promise<SocketAnswer<T>> {
  const sub = stack.subscribe<T>(query, variables, connectionParams);
  try {
    await sub.waitFor(() => sub.completed || sub.errors.length > 0);
  } finally {
    sub.stop();
  }
  return {
    data: sub.events[0],
    errors: sub.errors as SocketAnswer<T>['errors'],
  };
}
