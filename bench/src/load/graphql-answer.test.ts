import { describe, expect, it } from 'vitest';
import { classifyAnswer } from './graphql-answer.js';

const refusal = JSON.stringify({
  errors: [
    {
      message: 'The service is taking no new orders right now: try again in 1 s',
      extensions: { code: 'SERVICE_OVERLOADED', retryAfterSeconds: 1 },
    },
  ],
});

describe('classifyAnswer', () => {
  it('takes the id of what the mutation returned', () => {
    const body = JSON.stringify({ data: { createOrder: { id: 'o-1', status: 'CREATED' } } });
    expect(classifyAnswer(200, undefined, body)).toEqual({ kind: 'ok', id: 'o-1' });
  });

  it('counts a coded 503 with Retry-After as a refusal', () => {
    expect(classifyAnswer(503, '1', refusal)).toEqual({ kind: 'refused' });
  });

  it('counts a refusal that breaks the contract as an error, saying how', () => {
    expect(classifyAnswer(503, undefined, refusal)).toEqual({
      kind: 'failed',
      reason: 'SERVICE_OVERLOADED without Retry-After',
    });
    expect(classifyAnswer(503, 'soon', refusal)).toMatchObject({ kind: 'failed' });
    expect(classifyAnswer(200, '1', refusal)).toEqual({
      kind: 'failed',
      reason: 'SERVICE_OVERLOADED with HTTP 200',
    });
  });

  it('names other failures by status, code or shape', () => {
    expect(classifyAnswer(503, '1', 'Service Unavailable')).toEqual({
      kind: 'failed',
      reason: 'HTTP 503',
    });
    const invalid = JSON.stringify({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(classifyAnswer(200, undefined, invalid)).toEqual({
      kind: 'failed',
      reason: 'BAD_USER_INPUT',
    });
    expect(classifyAnswer(200, undefined, '{"errors":[{}]}')).toEqual({
      kind: 'failed',
      reason: 'GraphQL error',
    });
    expect(classifyAnswer(200, undefined, '<html>')).toEqual({
      kind: 'failed',
      reason: 'unparsable answer',
    });
    expect(classifyAnswer(200, undefined, '{"data":{"createOrder":null}}')).toEqual({
      kind: 'failed',
      reason: 'answer without an id',
    });
  });
});
