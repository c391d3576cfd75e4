import type { AccessSettings } from '../config/settings.js';
import { DEMO_PRINCIPAL, type Principal } from '../domain/principal.js';
import { AccessError, createTokenVerifier } from './token-verifier.js';

/** Who a caller is, and until when that holds (null: for as long as the connection lasts). */
export interface Authenticated {
  principal: Principal;
  expiresAt: Date | null;
}

/**
 * Turns an `Authorization` value (`Bearer <token>`), as it arrived from the wire, into a
 * principal. The one place a caller is identified, whatever the transport.
 */
export interface Authenticator {
  /** `off`: no token needed, every caller is the demo customer. */
  readonly mode: AccessSettings['mode'];
  /** Throws AccessError when the caller is not let in. */
  authenticate(authorization: unknown): Promise<Authenticated>;
}

/** Longer than any real token; a bound on what is handed to the verifier. */
const MAX_TOKEN_LENGTH = 8_192;

/** RFC 6750's b64token, as a compact JWS is: three base64url parts. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** An authenticator for the configured access mode. */
export function createAuthenticator(settings: AccessSettings): Authenticator {
  if (settings.mode === 'off') {
    const demo: Authenticated = { principal: DEMO_PRINCIPAL, expiresAt: null };
    // "Runs as today": a token, if one is sent anyway, is not looked at.
    return { mode: 'off', authenticate: () => Promise.resolve(demo) };
  }
  const verifier = createTokenVerifier(settings);
  return {
    mode: settings.mode,
    async authenticate(authorization) {
      if (authorization === undefined || authorization === null || authorization === '') {
        throw new AccessError('UNAUTHENTICATED', 'missing bearer token');
      }
      if (typeof authorization !== 'string') {
        throw new AccessError('UNAUTHENTICATED', "authorization must be a string 'Bearer <token>'");
      }
      if (authorization.length > MAX_TOKEN_LENGTH) {
        throw new AccessError('UNAUTHENTICATED', 'bearer token too long');
      }
      const token = BEARER.exec(authorization)?.[1];
      if (token === undefined) {
        throw new AccessError(
          'UNAUTHENTICATED',
          "authorization is not of the form 'Bearer <token>'",
        );
      }
      return verifier.verify(token);
    },
  };
}
