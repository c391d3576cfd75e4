import { describe, expect, it } from 'vitest';
import { RequestValidationError, toFieldErrors, toProblem } from './problem.js';

describe('toFieldErrors', () => {
  it('names each missing and each extra property once', () => {
    const errors = toFieldErrors(
      [
        {
          keyword: 'required',
          instancePath: '',
          schemaPath: '#',
          params: { requiredProperties: ['orderId', 'amount'] },
          message: 'must have required properties orderId, amount',
        },
        {
          keyword: 'boolean',
          instancePath: '/extra',
          schemaPath: '#/additionalProperties',
          params: {},
          message: 'schema is false',
        },
        {
          keyword: 'additionalProperties',
          instancePath: '',
          schemaPath: '#',
          params: { additionalProperties: ['extra'] },
          message: 'must not have additional properties',
        },
      ],
      'body',
    );
    expect(errors).toEqual([
      { field: 'orderId', message: 'is required' },
      { field: 'amount', message: 'is required' },
      { field: 'extra', message: 'is not allowed' },
    ]);
  });

  it('names header fields the way they are documented', () => {
    const errors = toFieldErrors(
      [
        {
          keyword: 'required',
          instancePath: '',
          schemaPath: '#',
          params: { requiredProperties: ['idempotency-key'] },
        },
      ],
      'headers',
    );
    expect(errors).toEqual([{ field: 'Idempotency-Key', message: 'is required' }]);
  });

  it('names nested fields by path and the whole part when the root is wrong', () => {
    const errors = toFieldErrors(
      [
        { keyword: 'type', instancePath: '/a~1b/0', schemaPath: '#', params: {}, message: 'bad' },
        {
          keyword: 'type',
          instancePath: '',
          schemaPath: '#',
          params: {},
          message: 'must be object',
        },
      ],
      'body',
    );
    expect(errors).toEqual([
      { field: 'a/b.0', message: 'bad' },
      { field: 'body', message: 'must be object' },
    ]);
  });

  it('names a property whose name is empty', () => {
    const errors = toFieldErrors(
      [
        {
          keyword: 'additionalProperties',
          instancePath: '',
          schemaPath: '#',
          params: { additionalProperties: [''] },
          message: 'must not have additional properties',
        },
      ],
      'querystring',
    );
    expect(errors).toEqual([{ field: '""', message: 'is not allowed' }]);
  });
});

describe('toProblem', () => {
  it('hides the details of unexpected errors', () => {
    const body = toProblem(new Error('connection refused at 10.0.0.5: password=secret'), 16_384);
    expect(body).toEqual({
      type: 'internal-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server could not process the request.',
    });
    expect(toProblem('a thrown string', 16_384).status).toBe(500);
    expect(toProblem(Object.assign(new Error('boom'), { statusCode: 502 }), 16_384).status).toBe(
      500,
    );
  });

  it('keeps field errors of a validation failure', () => {
    const body = toProblem(
      new RequestValidationError([{ field: 'amount', message: 'must be integer' }]),
      16_384,
    );
    expect(body).toMatchObject({
      type: 'validation-failed',
      status: 400,
      errors: [{ field: 'amount', message: 'must be integer' }],
    });
  });

  it('maps the body limit error to 413', () => {
    const error = Object.assign(new Error('too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toProblem(error, 16_384)).toMatchObject({ status: 413, type: 'payload-too-large' });
  });
});
