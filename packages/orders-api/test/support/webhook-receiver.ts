import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got, as it got it. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  /** The raw body text: what the signature covers. */
  body: string;
  headers: IncomingHttpHeaders;
  /** Parsed body. */
  event: {
    type: string;
    timestamp: string;
    data: {
      cursor: string;
      orderId: string;
      version: number;
      from: string | null;
      to: string;
      at: string;
      reason: string | null;
      order: {
        id: string;
        status: string;
        history: { from: string | null; to: string; at: string; reason: string | null }[];
        items: unknown[];
        [field: string]: unknown;
      };
    };
  };
  /** The status it was answered with; 0 while held unanswered. */
  status: number;
  receivedAt: number;
}

/** Decides the answer to a request: a status code, or 'hang' to never answer. */
export type Answer = (request: ReceivedWebhook) => number | 'hang';

/**
 * A real webhook receiver on a free loopback port: records every request (body as received,
 * headers, and the answer it gave) and answers as `answer` says, which a test may change.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: Answer = () => 200;
  private readonly hung = new Set<() => void>();

  private server!: Server;
  url = '';

  private constructor() {}

  static async start(path = '/hooks'): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const request: ReceivedWebhook = {
          id: String(req.headers['webhook-id']),
          timestamp: String(req.headers['webhook-timestamp']),
          signature: String(req.headers['webhook-signature']),
          body,
          headers: req.headers,
          event: JSON.parse(body) as ReceivedWebhook['event'],
          status: 0,
          receivedAt: Date.now(),
        };
        const answer = receiver.answer(request);
        if (answer === 'hang') {
          // Held until the receiver closes; the sender's timeout (or death) ends it first.
          receiver.received.push(request);
          receiver.hung.add(() => {
            res.destroy();
          });
          return;
        }
        request.status = answer;
        receiver.received.push(request);
        res.writeHead(answer, { 'content-type': 'text/plain' });
        res.end(answer >= 300 ? `answered ${String(answer)} on purpose` : 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver.server = server;
    receiver.url = `http://127.0.0.1:${String(port)}${path}`;
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests answered 2xx. */
  get delivered(): ReceivedWebhook[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }

  async close(): Promise<void> {
    for (const end of this.hung) end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
