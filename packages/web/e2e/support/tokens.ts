import { createHmac } from 'node:crypto';

export interface TokenClaims {
  sub: string;
  roles?: string[];
  /** Seconds from now until the token expires. */
  expiresIn?: number;
}

/**
 * An HS256 JWT signed with the secured orders-api's secret of this run, as an identity provider
 * would issue one. Written out with node:crypto: three base64url parts and an HMAC.
 */
export function signToken(secret: string, claims: TokenClaims): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = part({ alg: 'HS256', typ: 'JWT' });
  const payload = part({
    sub: claims.sub,
    ...(claims.roles === undefined ? {} : { roles: claims.roles }),
    iat: now,
    exp: now + (claims.expiresIn ?? 3600),
  });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
