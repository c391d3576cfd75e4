// Prints every order transition as it happens: `pnpm watch-orders [orderId] [url]`.
// A small graphql-ws client, so the README's walk-through needs nothing but this repo.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [orderId, url = 'ws://127.0.0.1:4000/graphql'] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: Infinity,
  lazy: false,
});

interface Event {
  orderUpdated: {
    id: string;
    status: string;
    total: number;
    currency: string;
    cancellationReason: string | null;
    updatedAt: string;
  };
}

console.log(`watching ${orderId ?? 'all orders'} on ${url} (Ctrl-C to stop)`);
client.subscribe<Event>(
  {
    query: `subscription ($id: ID) { orderUpdated(id: $id) { id status total currency cancellationReason updatedAt } }`,
    variables: { id: orderId ?? null },
  },
  {
    next: ({ data, errors }) => {
      if (errors) console.error(JSON.stringify(errors));
      const o = data?.orderUpdated;
      if (o) {
        const reason = o.cancellationReason === null ? '' : ` (${o.cancellationReason})`;
        console.log(`${o.updatedAt}  ${o.id}  ${o.status}${reason}  ${o.total} ${o.currency}`);
      }
    },
    error: (error) => {
      console.error('subscription error', error);
      process.exitCode = 1;
    },
    complete: () => {
      console.log('subscription closed by the server');
    },
  },
);
