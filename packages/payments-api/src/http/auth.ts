import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';
import { problem, sendProblem } from './problem.js';

/** The OpenAPI security scheme name the routes refer to. */
export const BEARER_SECURITY_SCHEME = 'bearerAuth';

/** An onRequest hook that lets through only `Authorization: Bearer <expectedToken>`. */
export function bearerAuth(expectedToken: string): onRequestHookHandler {
  const expected = sha256(expectedToken);
  return (request, reply, done) => {
    const presented = bearerToken(request.headers.authorization);
    // Hashing first gives equal-length buffers, so the comparison time reveals nothing.
    if (presented !== undefined && timingSafeEqual(sha256(presented), expected)) {
      done();
      return;
    }
    reply.header('WWW-Authenticate', 'Bearer');
    const detail =
      presented === undefined
        ? 'Send Authorization: Bearer <token>.'
        : 'The bearer token is not valid for this service.';
    void sendProblem(reply, problem(401, 'unauthorized', detail));
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
