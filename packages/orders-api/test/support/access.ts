import { SignJWT, UnsecuredJWT, type CryptoKey, type JWTPayload } from 'jose';
import WebSocket from 'ws';

/** HS256 secret of the access tests: 32 bytes, a test value, not a secret. */
export const TEST_JWT_SECRET = 'test-only-jwt-secret-of-32-bytes';
export const TEST_ISSUER = 'https://issuer.test';
export const TEST_AUDIENCE = 'orders-api';

/** orders-api settings for per-customer access, accepting the tokens `signToken` makes. */
export const PER_CUSTOMER_ACCESS = {
  ORDERS_JWT_SECRET: TEST_JWT_SECRET,
  ORDERS_JWT_ISSUER: TEST_ISSUER,
  ORDERS_JWT_AUDIENCE: TEST_AUDIENCE,
};

export interface TokenOptions {
  /** Seconds from now; negative for an expired token. Null: no `exp` claim. */
  expiresIn?: number | null;
  issuer?: string;
  audience?: string;
  /** HS256 with this secret (the service's by default), or an asymmetric key. */
  key?: string | CryptoKey;
  alg?: string;
  kid?: string;
}

/** A signed JWT with `claims` (include `sub`), valid for the test issuer and audience by default. */
export async function signToken(claims: JWTPayload, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({
      alg: options.alg ?? 'HS256',
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    })
    .setIssuedAt(now)
    .setIssuer(options.issuer ?? TEST_ISSUER)
    .setAudience(options.audience ?? TEST_AUDIENCE);
  const expiresIn = options.expiresIn === undefined ? 600 : options.expiresIn;
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn);
  const key = options.key ?? TEST_JWT_SECRET;
  return jwt.sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
}

/** An `alg: none` token, valid in every other respect. */
export function unsignedToken(claims: JWTPayload): string {
  return new UnsecuredJWT(claims)
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .encode();
}

/** The `Authorization` header for a token. */
export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

/** How a WebSocket ended. */
export interface Closed {
  code: number;
  reason: string;
  at: number;
}

/**
 * A graphql-ws connection driven by hand, to see what the server does with its handshake:
 * whether it acknowledges it, and with which code and reason it closes the socket.
 */
export class RawSocket {
  readonly messages: { id?: string; type: string; payload?: unknown }[] = [];
  readonly acked: Promise<boolean>;
  readonly closed: Promise<Closed>;
  private readonly socket: WebSocket;

  constructor(
    url: string,
    options: { connectionParams?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    this.socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', {
      headers: options.headers ?? {},
    });
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString(), at: Date.now() });
      });
    });
    this.acked = new Promise((resolve) => {
      this.socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as RawSocket['messages'][number];
        this.messages.push(message);
        if (message.type === 'connection_ack') resolve(true);
      });
      void this.closed.then(() => {
        resolve(false);
      });
    });
    this.socket.once('open', () => {
      this.socket.send(
        JSON.stringify({
          type: 'connection_init',
          ...(options.connectionParams === undefined ? {} : { payload: options.connectionParams }),
        }),
      );
    });
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  close(): void {
    this.socket.close(1000);
  }
}
