/** The error code orders-api gives a createOrder it refuses under overload. */
export const OVERLOADED_CODE = 'SERVICE_OVERLOADED';

/**
 * What one answer to a GraphQL mutation over HTTP was: taken (with the id of the order it made
 * or changed), refused by admission control as the contract says (HTTP 503, a `Retry-After`
 * header and `extensions.code` SERVICE_OVERLOADED), or failed, with why.
 */
export type AnswerOutcome =
  { kind: 'ok'; id: string } | { kind: 'refused' } | { kind: 'failed'; reason: string };

interface GraphQLAnswer {
  data?: Record<string, { id?: unknown } | null> | null;
  errors?: { extensions?: { code?: unknown } }[];
}

/** Classifies an answer by its status, its `Retry-After` header (if any) and its body. */
export function classifyAnswer(
  status: number,
  retryAfter: string | undefined,
  body: string,
): AnswerOutcome {
  let answer: GraphQLAnswer | null = null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) answer = parsed;
  } catch {
    // Not JSON: reported by status below, or as unparsable.
  }
  const code = answer?.errors?.[0]?.extensions?.code;
  if (code === OVERLOADED_CODE) {
    // Anything short of the whole contract is an error, so a half-done refusal shows.
    if (status !== 503) return { kind: 'failed', reason: `${OVERLOADED_CODE} with HTTP ${status}` };
    if (retryAfter === undefined || !/^\d+$/.test(retryAfter.trim())) {
      return { kind: 'failed', reason: `${OVERLOADED_CODE} without Retry-After` };
    }
    return { kind: 'refused' };
  }
  if (status !== 200) return { kind: 'failed', reason: `HTTP ${status}` };
  if (answer === null) return { kind: 'failed', reason: 'unparsable answer' };
  if (answer.errors?.[0] !== undefined) {
    return { kind: 'failed', reason: typeof code === 'string' ? code : 'GraphQL error' };
  }
  const first = Object.values(answer.data ?? {})[0];
  return typeof first?.id === 'string'
    ? { kind: 'ok', id: first.id }
    : { kind: 'failed', reason: 'answer without an id' };
}
