import type { preValidationHookHandler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { RequestValidationError, toFieldErrors } from './problem.js';

/**
 * A preValidation hook that reports bad headers and a bad body in one answer; Fastify alone stops at
 * the first part that fails, so a client would have to fix its request twice.
 */
export function validateHeadersWithBody(headers: TSchema, body: TSchema): preValidationHookHandler {
  const headerCheck = Compile(headers);
  const bodyCheck = Compile(body);
  return (request, _reply, done) => {
    if (headerCheck.Check(request.headers)) {
      done();
      return;
    }
    const bodyErrors = bodyCheck.Check(request.body)
      ? []
      : toFieldErrors(bodyCheck.Errors(request.body), 'body');
    done(
      new RequestValidationError([
        ...toFieldErrors(headerCheck.Errors(request.headers), 'headers'),
        ...bodyErrors,
      ]),
    );
  };
}
