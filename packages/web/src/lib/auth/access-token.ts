/**
 * The bearer token the SPA sends to orders-api when it has one (orders-api requires one when it
 * is started with ORDERS_JWT_SECRET or ORDERS_JWKS_URL). Kept for the tab's session only, so
 * closing the tab signs out, and it is never sent anywhere but to orders-api.
 */
const STORAGE_KEY = 'oms.accessToken';

export function readAccessToken(storage: Pick<Storage, 'getItem'> = sessionStorage): string | null {
  try {
    const token = storage.getItem(STORAGE_KEY)?.trim() ?? '';
    return token === '' ? null : token;
  } catch {
    // Storage can be unavailable (privacy modes); the app then runs without a token.
    return null;
  }
}

export function writeAccessToken(
  token: string | null,
  storage: Pick<Storage, 'setItem' | 'removeItem'> = sessionStorage,
): void {
  const value = token?.trim() ?? '';
  if (value === '') storage.removeItem(STORAGE_KEY);
  else storage.setItem(STORAGE_KEY, value);
}

/** `Authorization` header value for the token, or null without one. */
export function authorizationOf(token: string | null): string | null {
  return token === null ? null : `Bearer ${token}`;
}

/** What the token says about its holder, for display only: the server verifies it, not the SPA. */
export interface TokenClaims {
  subject: string | null;
  admin: boolean;
  expiresAt: Date | null;
}

/** Reads a JWT's payload without verifying it; null when it is not a JWT. */
export function peekClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (payload === undefined || token.split('.').length !== 3) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    // atob gives one character per byte; the claims are UTF-8.
    const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const json = JSON.parse(text) as Record<string, unknown>;
    const roles = Array.isArray(json.roles) ? json.roles : [json.role];
    return {
      subject: typeof json.sub === 'string' ? json.sub : null,
      admin: roles.includes('admin'),
      expiresAt: typeof json.exp === 'number' ? new Date(json.exp * 1000) : null,
    };
  } catch {
    return null;
  }
}

/**
 * Whether to offer what only admins may do (an INTERNAL note, say). Only a JWT that reads as a
 * non-admin's rules it out: without a token every caller is an admin when orders-api runs
 * without access control, and an opaque token says nothing; there the API's refusal is shown.
 */
export function mayBeAdmin(token: string | null): boolean {
  if (token === null) return true;
  return peekClaims(token)?.admin ?? true;
}
