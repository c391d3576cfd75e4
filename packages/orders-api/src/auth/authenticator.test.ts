import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticator.js';
import { DEMO_PRINCIPAL } from '../domain/principal.js';

const SECRET = 'unit-test-secret-of-at-least-32-bytes';

describe('the authenticator', () => {
  it('lets everyone in as the demo customer when access is off, whatever they send', async () => {
    const off = createAuthenticator({ mode: 'off' });
    for (const value of [undefined, '', 'Bearer nonsense', 42]) {
      expect(await off.authenticate(value)).toEqual({ principal: DEMO_PRINCIPAL, expiresAt: null });
    }
  });

  const on = createAuthenticator({
    mode: 'hs256',
    secret: SECRET,
    issuer: undefined,
    audience: undefined,
  });
  const refusal = (value: unknown) =>
    on.authenticate(value).then(
      () => 'accepted',
      (error: unknown) => (error as Error).message,
    );

  it('reads the bearer scheme case-insensitively', async () => {
    const token = await new SignJWT({ sub: 'c-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));
    for (const value of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`]) {
      expect((await on.authenticate(value)).principal.customerId).toBe('c-1');
    }
  });

  it.each([
    [undefined, 'missing bearer token'],
    ['', 'missing bearer token'],
    [null, 'missing bearer token'],
    [42, "authorization must be a string 'Bearer <token>'"],
    [['Bearer a.b.c'], "authorization must be a string 'Bearer <token>'"],
    ['Bearer', "authorization is not of the form 'Bearer <token>'"],
    ['Bearer a b', "authorization is not of the form 'Bearer <token>'"],
    ['Token a.b.c', "authorization is not of the form 'Bearer <token>'"],
    [`Bearer ${'a'.repeat(9_000)}`, 'bearer token too long'],
  ])('refuses %j: %s', async (value, message) => {
    expect(await refusal(value)).toBe(message);
  });
});
