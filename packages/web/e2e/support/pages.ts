import type { Locator, Page, Request, WebSocketRoute } from '@playwright/test';
import { expect } from '@playwright/test';

/** The orders table of /orders. */
export function ordersTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Orders' });
}

/** The table's order rows (the header row has column headers, not cells). */
export function orderRows(page: Page): Locator {
  return ordersTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

/** The row of one order, found by its link to the order page (the link reads `#1042`). */
export function orderRow(page: Page, id: string): Locator {
  return orderRows(page).filter({ has: page.locator(`a[href="/orders/${id}"]`) });
}

/** A row's Status cell (columns: Order, Customer, Items, Total, Status, Created, Actions). */
export function statusCell(row: Locator): Locator {
  return row.getByRole('cell').nth(4);
}

/** A row's Total cell. */
export function totalCell(row: Locator): Locator {
  return row.getByRole('cell').nth(3);
}

/** The order page's live status. */
export function orderStatus(page: Page): Locator {
  return page.getByRole('status', { name: 'Order status' });
}

/** The layout's connection indicator. */
export function liveUpdates(page: Page): Locator {
  return page.getByRole('status', { name: 'Live updates' });
}

/**
 * Marks the document, so `expectSameDocument` can prove later that what changed on screen
 * changed without a reload or navigation.
 */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.documentElement.dataset.e2eMark = 'not reloaded';
  });
}

/** Passes only if the document marked by `markDocument` is still the one shown. */
export async function expectSameDocument(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.dataset.e2eMark)).toBe('not reloaded');
}

/** GraphQL-over-WebSocket messages carry a `type`; `next` carries a subscription event. */
function messageType(message: string | Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(typeof message === 'string' ? message : message.toString());
    return typeof parsed === 'object' && parsed !== null && 'type' in parsed
      ? String(parsed.type)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the page's WebSocket to orders-api up but drops every subscription event on its way to
 * the page: the page stays "Live" while it misses what happens, as after a lost event.
 * Call before the page is opened.
 */
export async function dropLiveEvents(page: Page): Promise<void> {
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (messageType(message) !== 'next') ws.send(message);
    });
  });
}

/** Control over the page's WebSocket to orders-api, as if the network went away and came back. */
export interface Network {
  /** Closes the open socket (code 1012, service restart) and refuses every new one. */
  goOffline(): Promise<void>;
  /** Lets the next connection attempt through to orders-api. */
  goOnline(): void;
}

/** Routes the page's WebSocket through a switch; call before the page is opened. */
export async function switchableNetwork(page: Page): Promise<Network> {
  let online = true;
  let connections: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  const dropped = { code: 1012, reason: 'e2e: offline' };
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    if (!online) {
      // Not connected to the server: the page sees a socket that opens and is closed at once.
      void ws.close(dropped);
      return;
    }
    connections.push({ page: ws, server: ws.connectToServer() });
  });
  return {
    async goOffline() {
      online = false;
      const closing = connections.flatMap((c) => [c.page.close(dropped), c.server.close()]);
      connections = [];
      await Promise.all(closing);
    },
    goOnline() {
      online = true;
    },
  };
}

/** A page WebSocket whose first messages wait, as on a slow first connection. */
export interface SlowConnection {
  /** Sends what the page has queued so far, and everything after it, to orders-api. */
  release(): void;
}

/**
 * Connects the page's WebSocket to orders-api but holds what the page sends (its
 * connection_init first) until `release()`: live updates stay "Connecting…" meanwhile, while
 * HTTP queries go through. Call before the page is opened.
 */
export async function slowFirstConnection(page: Page): Promise<SlowConnection> {
  let released = false;
  const queued: { server: WebSocketRoute; message: string | Buffer }[] = [];
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (released) server.send(message);
      else queued.push({ server, message });
    });
  });
  return {
    release() {
      released = true;
      for (const { server, message } of queued.splice(0)) server.send(message);
    },
  };
}

/** Every GraphQL request naming `operation` that the page sends from now on, as it sends it. */
export function recordOperationRequests(page: Page, operation: string): Request[] {
  const sent: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.postData()?.includes(operation) === true) {
      sent.push(request);
    }
  });
  return sent;
}
