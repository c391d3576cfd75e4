import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import type { AccessSettings } from '../config/settings.js';
import type { Principal } from '../domain/principal.js';

/**
 * Why a caller was refused: UNAUTHENTICATED for anything about the token (missing, malformed,
 * expired, not ours); SERVICE_UNAVAILABLE when the token could not be checked at all (the key
 * set could not be fetched), which is ours to fix and worth a retry.
 */
export class AccessError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'SERVICE_UNAVAILABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AccessError';
  }
}

/** A token that passed every check: whose it is, and until when it may be used. */
export interface VerifiedToken {
  principal: Principal;
  expiresAt: Date;
}

/** Checks a compact JWS and turns its claims into a principal; throws AccessError otherwise. */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

/** Clock skew allowed between the issuer and this service, for `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** What a token's `sub` may be: it is stored on every order the customer creates. */
const SUBJECT = /^[A-Za-z0-9._:@|+-]{1,128}$/;

const HS_ALGORITHMS = ['HS256'];
/** Asymmetric only: a key set never holds a shared secret, so HS256 there is a forgery. */
const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** The key set could not be had (unreachable, timed out, not a key set): not the token's fault. */
class KeySetUnavailable extends Error {}

/** A verifier for the configured mode: an HS256 shared secret, or a remote JSON Web Key Set. */
export function createTokenVerifier(
  settings: Exclude<AccessSettings, { mode: 'off' }>,
): TokenVerifier {
  const algorithms = settings.mode === 'hs256' ? HS_ALGORITHMS : JWKS_ALGORITHMS;
  const options: JWTVerifyOptions = {
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
    ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
    ...(settings.audience === undefined ? {} : { audience: settings.audience }),
  };
  const key =
    settings.mode === 'hs256'
      ? new TextEncoder().encode(settings.secret)
      : remoteKeySet(new URL(settings.jwksUrl));
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        // Two calls rather than a union: jose types the key and the key function apart.
        ({ payload } =
          key instanceof Uint8Array
            ? await jwtVerify(token, key, options)
            : await jwtVerify(token, key, options));
      } catch (error) {
        throw refusal(error, algorithms);
      }
      return { principal: principalOf(payload), expiresAt: new Date((payload.exp ?? 0) * 1000) };
    },
  };
}

/**
 * jose's remote key set (cached for ten minutes, refetched at most every 30 s when a token names
 * an unknown key), with its fetch failures told apart from a token that matches no key.
 */
function remoteKeySet(url: URL): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, { timeoutDuration: 3_000 });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported ||
        error instanceof errors.JOSEAlgNotAllowed
      ) {
        throw error;
      }
      throw new KeySetUnavailable('key set unavailable', { cause: error });
    }
  };
}

/** The principal named by verified claims: `sub`, and `roles` (or `role`) for admin. */
function principalOf(payload: JWTPayload): Principal {
  const { sub } = payload;
  if (typeof sub !== 'string' || !SUBJECT.test(sub)) {
    throw unauthenticated(
      'token subject (sub) must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ | + -',
    );
  }
  const roles: unknown = payload.roles ?? (payload.role === undefined ? [] : [payload.role]);
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw unauthenticated('token claim roles must be an array of strings, or role a string');
  }
  return { customerId: sub, admin: roles.includes('admin') };
}

const unauthenticated = (message: string) => new AccessError('UNAUTHENTICATED', message);

/**
 * A precise reason for refusing a token. jose's messages name claims and algorithms, never the
 * token; ours are shorter still. An error that is none of these is not the caller's: rethrown.
 */
function refusal(error: unknown, algorithms: readonly string[]): Error {
  if (error instanceof AccessError) return error;
  if (error instanceof KeySetUnavailable) {
    return new AccessError(
      'SERVICE_UNAVAILABLE',
      'cannot verify tokens now: the key set is unavailable',
      { cause: error.cause },
    );
  }
  if (error instanceof errors.JWTExpired) return unauthenticated('token expired');
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return unauthenticated('signature invalid');
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated('no key of the key set matches the token');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthenticated(`token algorithm not allowed (accepted: ${algorithms.join(', ')})`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return unauthenticated(`token has no ${error.claim} claim`);
    if (error.claim === 'iss') return unauthenticated('token issuer not accepted');
    if (error.claim === 'aud') return unauthenticated('token audience not accepted');
    if (error.claim === 'nbf') return unauthenticated('token not valid yet');
    return unauthenticated(`token claim ${error.claim} is invalid`);
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return unauthenticated('token malformed');
  }
  return error instanceof Error ? error : new Error(String(error));
}
