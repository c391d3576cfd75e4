import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessError, createTokenVerifier } from './token-verifier.js';

const SECRET = 'unit-test-secret-of-at-least-32-bytes';
const verifier = createTokenVerifier({
  mode: 'hs256',
  secret: SECRET,
  issuer: undefined,
  audience: undefined,
});

async function token(claims: JWTPayload, expiresIn = 60): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ exp: now + expiresIn, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
}

async function refusalOf(claims: JWTPayload, expiresIn?: number): Promise<string> {
  const error = await verifier.verify(await token(claims, expiresIn)).catch((e: unknown) => e);
  if (!(error instanceof AccessError)) throw new Error(`not refused: ${JSON.stringify(error)}`);
  expect(error.code).toBe('UNAUTHENTICATED');
  return error.message;
}

describe('the token verifier', () => {
  it.each([
    ['roles with admin', { roles: ['reader', 'admin'] }, true],
    ['role admin', { role: 'admin' }, true],
    ['roles without admin', { roles: ['reader'] }, false],
    ['role other', { role: 'reader' }, false],
    ['no role at all', {}, false],
    // `roles` wins when both are there.
    ['roles without admin and role admin', { roles: [], role: 'admin' }, false],
  ])('reads %s', async (_label, claims, admin) => {
    const { principal } = await verifier.verify(await token({ sub: 'c-1', ...claims }));
    expect(principal).toEqual({ customerId: 'c-1', admin });
  });

  it('tells when the token stops being valid', async () => {
    const exp = Math.floor(Date.now() / 1000) + 30;
    const { expiresAt } = await verifier.verify(await token({ sub: 'c-1', exp }));
    expect(expiresAt).toEqual(new Date(exp * 1000));
  });

  it('allows a few seconds of clock skew, no more', async () => {
    await expect(verifier.verify(await token({ sub: 'c-1' }, -3))).resolves.toBeDefined();
    expect(await refusalOf({ sub: 'c-1' }, -10)).toBe('token expired');
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(129), 'too long'],
    ['a b', 'a space'],
    ['a/b', 'a slash'],
    ['é', 'a non-ASCII letter'],
  ])('refuses the subject %j (%s): it is stored', async (sub) => {
    expect(await refusalOf({ sub })).toMatch(/^token subject \(sub\) must be/);
  });

  it('accepts the subjects identity providers issue', async () => {
    for (const sub of [
      'auth0|5f7c8ec7c33c6c004bbafe82',
      'user@example.com',
      '1234567890',
      'x'.repeat(128),
    ]) {
      const { principal } = await verifier.verify(await token({ sub }));
      expect(principal.customerId).toBe(sub);
    }
  });

  it.each([[{ roles: 'admin' }], [{ roles: ['admin', 1] }], [{ role: ['admin'] }], [{ role: 7 }]])(
    'refuses malformed roles %j rather than guessing',
    async (claims) => {
      expect(await refusalOf({ sub: 'c-1', ...claims })).toBe(
        'token claim roles must be an array of strings, or role a string',
      );
    },
  );
});
