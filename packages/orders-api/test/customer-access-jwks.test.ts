import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSocket, TEST_AUDIENCE, TEST_ISSUER, bearer, signToken } from './support/access.js';
import { freePort } from '@oms/testing';
import { Stack } from './support/stack.js';

const WHO = 'query { orders(first: 1) { edges { node { id } } } }';
const CREATE = `mutation { createOrder(input: { items: [{ sku: "S", name: "N", quantity: 1, unitPrice: 1 }] }) { customerId } }`;

/** One signing key of the issuer: its private half for the test, its public JWK for the set. */
interface SigningKey {
  alg: 'RS256' | 'ES256' | 'EdDSA';
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(
    alg,
    alg === 'EdDSA' ? { crv: 'Ed25519' } : {},
  );
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A real JWKS endpoint on a loopback port, as an identity provider serves it. */
async function serveKeySet(
  keys: JWK[],
): Promise<{ url: string; server: Server; fetches: number[] }> {
  const fetches: number[] = [];
  const server = createServer((req, res) => {
    fetches.push(Date.now());
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/jwk-set+json' })
      .end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, server, fetches };
}

describe('per-customer access with a JSON Web Key Set', () => {
  let stack: Stack;
  let jwks: Awaited<ReturnType<typeof serveKeySet>>;
  let keys: SigningKey[];

  beforeAll(async () => {
    keys = await Promise.all([
      signingKey('RS256', 'rsa-1'),
      signingKey('ES256', 'ec-1'),
      signingKey('EdDSA', 'ed-1'),
    ]);
    jwks = await serveKeySet(keys.map((k) => k.jwk));
    stack = await Stack.start({
      orders: {
        ORDERS_JWKS_URL: jwks.url,
        ORDERS_JWT_ISSUER: TEST_ISSUER,
        ORDERS_JWT_AUDIENCE: TEST_AUDIENCE,
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await new Promise((resolve) => jwks.server.close(resolve));
  });

  const tokenOf = (key: SigningKey, sub = 'customer-jwks') =>
    signToken({ sub }, { key: key.privateKey, alg: key.alg, kid: key.kid });

  it.each(['RS256', 'ES256', 'EdDSA'])(
    'accepts a token signed with an %s key of the set',
    async (alg) => {
      const key = keys.find((k) => k.alg === alg);
      if (key === undefined) throw new Error(alg);
      const result = await stack.gql<{ createOrder: { customerId: string } }>(
        CREATE,
        {},
        bearer(await tokenOf(key, `customer-${alg}`)),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.createOrder.customerId).toBe(`customer-${alg}`);
      // The set is fetched once and cached, not once per request.
      expect(jwks.fetches.length).toBe(1);
    },
  );

  it('admits a WebSocket with such a token', async () => {
    const [rsa] = keys;
    if (rsa === undefined) throw new Error('no key');
    const socket = new RawSocket(stack.graphqlUrl, {
      connectionParams: { authorization: `Bearer ${await tokenOf(rsa)}` },
    });
    expect(await socket.acked).toBe(true);
    socket.close();
  });

  it('refuses a token signed by a key outside the set, under a kid of the set', async () => {
    const impostor = await signingKey('RS256', 'rsa-1');
    const result = await stack.gql(WHO, {}, bearer(await tokenOf(impostor)));
    expect(result.status).toBe(401);
    expect(result.errors).toEqual([
      { message: 'signature invalid', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it('refuses a token whose kid is not in the set', async () => {
    const stranger = await signingKey('ES256', 'unknown-kid');
    const result = await stack.gql(WHO, {}, bearer(await tokenOf(stranger)));
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.message).toBe('no key of the key set matches the token');
  });

  it('refuses HS256 (a shared secret has no place in a key set)', async () => {
    const [rsa] = keys;
    // The classic confusion: the public key's bytes used as an HMAC secret.
    const forged = await signToken({ sub: 'customer-jwks' }, { key: JSON.stringify(rsa?.jwk) });
    const result = await stack.gql(WHO, {}, bearer(forged));
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.message).toBe(
      'token algorithm not allowed (accepted: RS256, ES256, EdDSA)',
    );
    const socket = new RawSocket(stack.graphqlUrl, {
      connectionParams: { authorization: `Bearer ${forged}` },
    });
    expect((await socket.closed).code).toBe(4403);
  });
});

describe('when the key set cannot be fetched', () => {
  let stack: Stack;
  let key: SigningKey;

  beforeAll(async () => {
    key = await signingKey('ES256', 'ec-1');
    // Nothing listens there.
    const port = await freePort();
    stack = await Stack.start({
      orders: { ORDERS_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` },
    });
  });
  afterAll(() => stack.close());

  it('answers 503 SERVICE_UNAVAILABLE over HTTP (ours to fix, not the token), and closes a WebSocket 1013', async () => {
    const token = await signToken(
      { sub: 'customer-a' },
      { key: key.privateKey, alg: 'ES256', kid: 'ec-1' },
    );
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query: WHO }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'cannot verify tokens now: the key set is unavailable',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        },
      ],
    });
    const socket = new RawSocket(stack.graphqlUrl, {
      connectionParams: { authorization: `Bearer ${token}` },
    });
    expect(await socket.acked).toBe(false);
    expect((await socket.closed).code).toBe(1013);
  });
});
