// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  authorizationOf,
  mayBeAdmin,
  peekClaims,
  readAccessToken,
  writeAccessToken,
} from './access-token.js';

/** A real Storage-shaped map: the module's own reads and writes are what is tested. */
function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => {
      values.set(key, value);
    },
    removeItem: (key: string) => {
      values.delete(key);
    },
  };
}

function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

describe('access token', () => {
  it('keeps a trimmed token and forgets a blank one', () => {
    const storage = memoryStorage();
    expect(readAccessToken(storage)).toBeNull();
    writeAccessToken('  abc.def.ghi \n', storage);
    expect(readAccessToken(storage)).toBe('abc.def.ghi');
    writeAccessToken('   ', storage);
    expect(readAccessToken(storage)).toBeNull();
    writeAccessToken('abc.def.ghi', storage);
    writeAccessToken(null, storage);
    expect(readAccessToken(storage)).toBeNull();
  });

  it('runs without a token when storage throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(readAccessToken(broken)).toBeNull();
  });

  it('sends a bearer header only with a token', () => {
    expect(authorizationOf(null)).toBeNull();
    expect(authorizationOf('t.o.k')).toBe('Bearer t.o.k');
  });

  it('reads subject, admin role and expiry for display', () => {
    const exp = 1_900_000_000;
    expect(peekClaims(jwt({ sub: 'customer-7', exp }))).toEqual({
      subject: 'customer-7',
      admin: false,
      expiresAt: new Date(exp * 1000),
    });
    expect(peekClaims(jwt({ sub: 'ops', roles: ['support', 'admin'] }))?.admin).toBe(true);
    expect(peekClaims(jwt({ sub: 'ops', role: 'admin' }))?.admin).toBe(true);
    // Unicode in claims survives base64url without padding.
    expect(peekClaims(jwt({ sub: 'kundé-ü' }))?.subject).toBe('kundé-ü');
  });

  it('says nothing about what is not a JWT', () => {
    expect(peekClaims('not-a-token')).toBeNull();
    expect(peekClaims('a.b')).toBeNull();
    expect(peekClaims('a.!!!.c')).toBeNull();
    expect(peekClaims('a.b.c.d')).toBeNull();
  });

  it('rules out admin-only choices only for a token that reads as a non-admin’s', () => {
    expect(mayBeAdmin(jwt({ sub: 'alice' }))).toBe(false);
    expect(mayBeAdmin(jwt({ sub: 'alice', roles: ['customer'] }))).toBe(false);
    expect(mayBeAdmin(jwt({ sub: 'ops', roles: ['admin'] }))).toBe(true);
    expect(mayBeAdmin(jwt({ sub: 'ops', role: 'admin' }))).toBe(true);
    // Without a token, or with one the SPA cannot read, only the API knows.
    expect(mayBeAdmin(null)).toBe(true);
    expect(mayBeAdmin('opaque-token')).toBe(true);
  });
});
