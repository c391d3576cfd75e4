import type { RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { AdmissionDecision, AdmissionGate } from '../admission/admission-controller.js';
import type { OperationPipeline } from '../graphql/operation-pipeline.js';

/**
 * Root fields that start new work, and so are what admission control may refuse. Reads,
 * cancelOrder (which ends work) and subscriptions never are.
 */
const NEW_WORK = new Set(['createOrder']);

/** The error code of a refusal, over HTTP and WebSocket. */
export const SERVICE_OVERLOADED = 'SERVICE_OVERLOADED';

/** Whether an operation with these root fields starts new work. */
export function startsNewWork(fields: readonly string[] | undefined): boolean {
  return fields?.some((field) => NEW_WORK.has(field)) ?? false;
}

function overloadedMessage(retryAfterSeconds: number): string {
  return `The service is taking no new orders right now: try again in ${retryAfterSeconds} s`;
}

/** The error a refused operation gets over WebSocket. */
export function overloadedError(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(overloadedMessage(retryAfterSeconds), {
    extensions: { code: SERVICE_OVERLOADED, retryAfterSeconds },
  });
}

/**
 * The same error as an HTTP body, made once per Retry-After value: under overload refusals are
 * most of the traffic, so each one is a write of ready bytes (no error object, no stack trace,
 * no JSON encoding, no ETag).
 */
const httpBodies = new Map<number, Buffer>();
function overloadedBody(retryAfterSeconds: number): Buffer {
  let body = httpBodies.get(retryAfterSeconds);
  if (body === undefined) {
    const extensions = { code: SERVICE_OVERLOADED, retryAfterSeconds };
    const error = { message: overloadedMessage(retryAfterSeconds), extensions };
    body = Buffer.from(JSON.stringify({ errors: [error] }));
    httpBodies.set(retryAfterSeconds, body);
  }
  return body;
}

/** Asks admission control about an operation that starts new work; admits anything else. */
export function admit(
  gate: AdmissionGate,
  fields: readonly string[] | undefined,
): AdmissionDecision | null {
  return startsNewWork(fields) ? gate.tryAdmit() : null;
}

/**
 * Admission control over HTTP, after the body is parsed and before Apollo runs anything: an
 * operation that starts new work is refused at once with 503, `Retry-After` and
 * SERVICE_OVERLOADED when admission control says so; once admitted, it is released when its
 * response has gone (or the connection closed). The root fields come from the pipeline's cached
 * document, so a refusal costs a cache lookup. A body that is not one operation with its text
 * goes on to Apollo, which answers it (batches and persisted-query hashes are refused there).
 */
export function admitOverHttp(gate: AdmissionGate, pipeline: OperationPipeline): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || !('query' in body)) {
      next();
      return;
    }
    const { query, operationName } = body as { query: unknown; operationName?: unknown };
    if (typeof query !== 'string') {
      next();
      return;
    }
    const decision = admit(
      gate,
      pipeline.rootFields(query, typeof operationName === 'string' ? operationName : undefined),
    );
    if (decision === null) {
      next();
    } else if (decision.admitted) {
      res.once('close', decision.release);
      next();
    } else {
      const body = overloadedBody(decision.retryAfterSeconds);
      res
        .writeHead(503, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
          'retry-after': String(decision.retryAfterSeconds),
        })
        .end(body);
    }
  };
}
