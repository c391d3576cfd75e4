import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, hostOf } from '../domain/webhook-destination.js';

/** Response bytes read at most: enough for an error message, no more. */
export const MAX_RESPONSE_BYTES = 1_024;

/** Where a URL's host leads: a checked address to connect to, or why not. */
export type Resolution =
  | { kind: 'address'; address: string; family: 4 | 6 }
  | { kind: 'any' }
  | { kind: 'refused'; reason: string }
  | { kind: 'unresolved'; reason: string };

/**
 * Resolves the host of `url` and checks every address it has: one refused address refuses
 * the destination (a name may not reach an internal service through one of its records). With
 * private networks allowed nothing is checked and the request resolves as usual.
 */
export async function resolveDestination(url: URL, allowPrivate: boolean): Promise<Resolution> {
  if (allowPrivate) return { kind: 'any' };
  const host = hostOf(url);
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await dnsLookup(host, { all: true, verbatim: true });
    } catch (error) {
      return { kind: 'unresolved', reason: `${host} did not resolve (${codeOf(error)})` };
    }
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(address);
    if (refusal !== null) {
      return { kind: 'refused', reason: address === host ? refusal : `${host}: ${refusal}` };
    }
  }
  const first = addresses[0];
  if (first === undefined) return { kind: 'unresolved', reason: `${host} has no address` };
  return { kind: 'address', address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * The create-time check: a destination known to be refused is refused; one that does not
 * resolve now is taken (it is checked again, as every destination is, when sending).
 */
export async function destinationRefusal(url: URL, allowPrivate: boolean): Promise<string | null> {
  const resolution = await resolveDestination(url, allowPrivate);
  return resolution.kind === 'refused' ? resolution.reason : null;
}

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

/** What one attempt came to. */
export type WebhookAnswer =
  | { kind: 'answered'; status: number; body: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'refused'; reason: string };

/**
 * POSTs one webhook request. The host is resolved and checked first and the connection made to
 * the checked address (no second lookup that could answer differently); redirects are answers
 * like any other (not followed); at most MAX_RESPONSE_BYTES of the body are read; the whole
 * exchange is bounded by `timeoutMs`.
 */
export class WebhookHttp {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  async post(request: WebhookPost): Promise<WebhookAnswer> {
    const url = new URL(request.url);
    const resolution = await resolveDestination(url, request.allowPrivateNetworks);
    if (resolution.kind === 'refused') return { kind: 'refused', reason: resolution.reason };
    if (resolution.kind === 'unresolved') return { kind: 'failed', reason: resolution.reason };
    const lookup: LookupFunction | undefined =
      resolution.kind === 'address'
        ? pinnedLookup(resolution.address, resolution.family)
        : undefined;
    const secure = url.protocol === 'https:';
    return new Promise<WebhookAnswer>((resolve) => {
      let settled = false;
      const settle = (answer: WebhookAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': 'oms-orders-api-webhooks',
        },
        ...(lookup === undefined ? {} : { lookup }),
      });
      const timer = setTimeout(() => {
        req.destroy();
        settle({ kind: 'failed', reason: `no answer within ${String(request.timeoutMs)} ms` });
      }, request.timeoutMs);
      req.on('error', (error) => {
        settle({ kind: 'failed', reason: error.message || codeOf(error) });
      });
      req.on('response', (res: IncomingMessage) => {
        readSome(res).then(
          (body) => {
            settle({ kind: 'answered', status: res.statusCode ?? 0, body });
          },
          (error: unknown) => {
            settle({ kind: 'failed', reason: String(error) });
          },
        );
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** A lookup that answers the address already checked, whatever it is asked. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((
    _hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

/** Reads the first MAX_RESPONSE_BYTES of a response and drops the rest. */
function readSome(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
      size += chunk.length;
      if (size >= MAX_RESPONSE_BYTES) {
        res.destroy();
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    res.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', reject);
    res.on('close', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : String(error);
}
