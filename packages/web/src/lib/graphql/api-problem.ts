import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/** One reason the API refused a request, as the UI shows it. */
export interface ApiProblem {
  message: string;
  /** `extensions.code` from orders-api, or NETWORK when it could not be reached. */
  code: string;
  /** The input field at fault (`items[0].quantity`), for BAD_USER_INPUT. */
  field?: string;
  /** The order a refusal is about, when the API names one (IDEMPOTENCY_KEY_REUSED). */
  orderId?: string;
  /** For VERSION_CONFLICT: where the order is now (`extensions.currentVersion` and `status`). */
  currentVersion?: number;
  currentStatus?: string;
}

/** Turns whatever Apollo rejected with into problems the UI can show next to a field or on top. */
export function problemsOf(error: unknown): ApiProblem[] {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.flatMap((e): ApiProblem[] => {
      const code = typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN';
      // orders-api names every field at fault in `extensions.fields`, the first in `field`.
      const fields = e.extensions?.fields;
      if (Array.isArray(fields) && fields.length > 0) {
        return fields
          .filter(isFieldError)
          .map((f) => ({ code, field: f.field, message: f.message }));
      }
      const problem: ApiProblem = { message: e.message, code };
      if (typeof e.extensions?.field === 'string') problem.field = e.extensions.field;
      if (typeof e.extensions?.orderId === 'string') problem.orderId = e.extensions.orderId;
      if (typeof e.extensions?.currentVersion === 'number')
        problem.currentVersion = e.extensions.currentVersion;
      if (typeof e.extensions?.status === 'string') problem.currentStatus = e.extensions.status;
      return [problem];
    });
  }
  if (ServerError.is(error)) {
    return [{ message: `The orders service answered ${error.statusCode}`, code: 'SERVER_ERROR' }];
  }
  return [
    {
      message: 'Could not reach the orders service. Check your connection and try again.',
      code: 'NETWORK',
    },
  ];
}

function isFieldError(value: unknown): value is { field: string; message: string } {
  const v = value as { field?: unknown; message?: unknown } | null;
  return typeof v?.field === 'string' && typeof v.message === 'string';
}
