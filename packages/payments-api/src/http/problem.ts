import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifySchemaValidationError } from 'fastify';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemSchema,
  type FieldError,
  type Problem,
  type ProblemType,
} from '../contract.js';

/** The part of a request a schema error is about, as Fastify names it. */
export type RequestPart = 'body' | 'headers' | 'params' | 'querystring';

/** A route `response` entry documenting a problem answer. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
}

/** Builds a problem body; the title is the standard reason phrase for the status. */
export function problem(
  status: number,
  type: ProblemType,
  detail: string,
  errors?: readonly FieldError[],
): Problem {
  const body: Problem = { type, title: STATUS_CODES[status] ?? 'Error', status, detail };
  return errors === undefined ? body : { ...body, errors: [...errors] };
}

/** Answers with a problem body and its media type. */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Input rejected before it reached a handler, already mapped to field errors. */
export class RequestValidationError extends Error {
  constructor(readonly fieldErrors: readonly FieldError[]) {
    super('request validation failed');
    this.name = 'RequestValidationError';
  }
}

/**
 * Turns schema errors (TypeBox or Ajv shaped) into one entry per field at fault. `within` names
 * the value that was checked when it is part of a body (`items[3]`): fields are then named from it.
 */
export function toFieldErrors(
  issues: readonly FastifySchemaValidationError[],
  part: RequestPart,
  within?: string,
): FieldError[] {
  const found = new Map<string, FieldError>();
  const add = (pointer: string, message: string) => {
    const field = fieldName(pointer, part, within);
    found.set(`${field}\u0000${message}`, { field, message });
  };
  for (const issue of issues) {
    const named = (key: string): string[] => {
      const value = issue.params[key];
      if (Array.isArray(value)) return value.map(String);
      return typeof value === 'string' ? [value] : [];
    };
    if (issue.keyword === 'required') {
      for (const name of [...named('requiredProperties'), ...named('missingProperty')]) {
        add(`${issue.instancePath}/${escapePointer(name)}`, 'is required');
      }
    } else if (issue.keyword === 'additionalProperties') {
      for (const name of [...named('additionalProperties'), ...named('additionalProperty')]) {
        add(`${issue.instancePath}/${escapePointer(name)}`, 'is not allowed');
      }
    } else if (issue.keyword === 'boolean' && issue.schemaPath.endsWith('/additionalProperties')) {
      // TypeBox reports each extra property twice; the `additionalProperties` entry is kept.
      continue;
    } else {
      add(issue.instancePath, issue.message ?? 'is invalid');
    }
  }
  return [...found.values()];
}

function fieldName(pointer: string, part: RequestPart, within: string | undefined): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (segments.length === 0) return within ?? part;
  // Header names arrive lower-cased; report them the way the API documents them.
  if (part === 'headers') return segments.map(canonicalHeaderName).join('.');
  // A property named "" (`{"": 1}`, `?=1`) is still named, not left blank.
  const path = segments.map((segment) => (segment === '' ? '""' : segment)).join('.');
  return within === undefined ? path : `${within}.${path}`;
}

function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-');
}

function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

/** Maps any thrown value to the problem answered for it; unknown failures become a bare 500. */
export function toProblem(error: unknown, bodyLimit: number): Problem {
  if (error instanceof RequestValidationError) return validationProblem(error.fieldErrors);
  const err: FastifyLikeError = typeof error === 'object' && error !== null ? error : {};
  if (Array.isArray(err.validation)) {
    const part = (err.validationContext ?? 'body') as RequestPart;
    return validationProblem(toFieldErrors(err.validation as FastifySchemaValidationError[], part));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'malformed-json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'payload-too-large', `The request body exceeds ${bodyLimit} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported-media-type', 'Send the request body as application/json.');
  }
  const status = err.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own 4xx messages describe the request, not the server, so they are safe to show.
    const detail = typeof err.message === 'string' ? err.message : 'The request was rejected.';
    return problem(status, 'bad-request', detail);
  }
  return problem(500, 'internal-error', 'The server could not process the request.');
}

/** The 400 for input that breaks a schema, naming each field at fault. */
export function validationProblem(errors: readonly FieldError[]): Problem {
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  return problem(400, 'validation-failed', `Invalid request: ${fields}.`, errors);
}

/** Answers every error and unknown route with a problem body; logs unexpected failures once. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    // The route's own limit: the batch of charges takes larger bodies than the others.
    const body = toProblem(error, request.routeOptions.bodyLimit);
    if (body.status >= 500) {
      request.log.error(
        { err: error, method: request.method, route: request.routeOptions.url },
        'request failed unexpectedly',
      );
    } else {
      request.log.info({ problem: body.type, status: body.status }, 'request rejected');
    }
    return sendProblem(reply, body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    return sendProblem(reply, problem(404, 'not-found', `No route for ${request.method} ${path}.`));
  });
}
