import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../domain/principal.js';
import { AccessError, CLOCK_TOLERANCE_SECONDS } from '../auth/token-verifier.js';

/**
 * The transports' side of access: HTTP requests and WebSocket connections are authenticated here,
 * once, by the one Authenticator; resolvers get the principal through the GraphQL context.
 */

const REALM = 'Bearer realm="orders-api"';

/** graphql-ws's Forbidden; the SPA treats it as "refused" and does not retry. */
export const CLOSE_FORBIDDEN = 4403;
/** The token could not be checked now (key set unavailable): the client should retry. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

const principals = new WeakMap<Request, Principal>();

/**
 * Lets a `/graphql` request through with its principal, or answers it: 401 UNAUTHENTICATED with
 * `WWW-Authenticate: Bearer` (RFC 6750), or 503 when tokens cannot be checked now. Runs before
 * the body is parsed, so a caller without a token costs no JSON parsing.
 */
export function requireBearer(authenticator: Authenticator, log: Logger): RequestHandler {
  return (req, res, next) => {
    authenticator.authenticate(req.headers.authorization).then(
      ({ principal }) => {
        principals.set(req, principal);
        next();
      },
      (error: unknown) => {
        if (!(error instanceof AccessError)) {
          next(error);
          return;
        }
        const body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
        if (error.code === 'SERVICE_UNAVAILABLE') {
          log.warn({ err: error.cause }, error.message);
          res.status(503).set('retry-after', '5').json(body);
          return;
        }
        // No error code without credentials (RFC 6750, section 3.1); the reason otherwise.
        const challenge =
          req.headers.authorization === undefined
            ? REALM
            : `${REALM}, error="invalid_token", error_description="${error.message}"`;
        res.status(401).set('www-authenticate', challenge).json(body);
      },
    );
  };
}

/** The principal `requireBearer` let in. */
export function principalOfRequest(req: Request): Principal {
  const principal = principals.get(req);
  // Only reachable if the route were mounted without requireBearer: refuse rather than guess.
  if (principal === undefined) throw new Error('request reached GraphQL without authentication');
  return principal;
}

/** One WebSocket connection as graphql-ws's hooks see it. */
export interface WsConnection {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: {
    socket: { close(code: number, reason: string): void };
    request: { headers: IncomingHttpHeaders };
  };
}

interface Admitted {
  principal: Principal;
  expiry: { timer: NodeJS.Timeout | undefined };
}

const connections = new WeakMap<object, Admitted>();

/** Longest delay setTimeout takes (about 24.8 days); a longer-lived token re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * graphql-ws's onConnect: authenticates `connectionParams.authorization` (browsers cannot set
 * headers on a WebSocket) or else the upgrade request's Authorization header. A refused
 * connection is closed 4403 with the reason; an admitted one is closed 4403 when its token
 * expires. Returns false when refused, so graphql-ws sends no acknowledgement.
 */
export async function admitConnection(
  authenticator: Authenticator,
  ctx: WsConnection,
  log: Logger,
): Promise<boolean> {
  const { socket, request } = ctx.extra;
  const authorization = ctx.connectionParams?.authorization ?? request.headers.authorization;
  try {
    const { principal, expiresAt } = await authenticator.authenticate(authorization);
    const expiry: Admitted['expiry'] = { timer: undefined };
    if (expiresAt !== null) {
      // As long as the token would be accepted on a new request, and not longer.
      const end = expiresAt.getTime() + CLOCK_TOLERANCE_SECONDS * 1000;
      const arm = () => {
        const left = end - Date.now();
        expiry.timer = setTimeout(
          left > MAX_TIMER_MS
            ? arm
            : () => {
                socket.close(CLOSE_FORBIDDEN, 'Forbidden: token expired');
              },
          Math.max(0, Math.min(left, MAX_TIMER_MS)),
        );
        expiry.timer.unref();
      };
      arm();
    }
    connections.set(ctx, { principal, expiry });
    return true;
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    if (error.code === 'SERVICE_UNAVAILABLE') {
      log.warn({ err: error.cause }, error.message);
      socket.close(CLOSE_TRY_AGAIN_LATER, closeReason(`Try again later: ${error.message}`));
    } else {
      log.info({ reason: error.message }, 'WebSocket connection refused');
      socket.close(CLOSE_FORBIDDEN, closeReason(`Forbidden: ${error.message}`));
    }
    return false;
  }
}

/** The principal of an admitted connection. */
export function principalOfConnection(ctx: object): Principal {
  const admitted = connections.get(ctx);
  // graphql-ws closes 4401 on a subscribe before the acknowledgement, so this is never reached.
  if (admitted === undefined) throw new Error('operation on a connection that was not admitted');
  return admitted.principal;
}

/** graphql-ws's onClose: stops the connection's expiry timer. */
export function forgetConnection(ctx: object): void {
  clearTimeout(connections.get(ctx)?.expiry.timer);
  connections.delete(ctx);
}

/** A close frame's reason is at most 123 bytes. */
function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  return bytes.length <= 123 ? reason : bytes.subarray(0, 123).toString('utf8');
}
