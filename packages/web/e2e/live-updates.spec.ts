import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import {
  expectSameDocument,
  liveUpdates,
  markDocument,
  orderRow,
  orderRows,
  orderStatus,
  slowFirstConnection,
  statusCell,
  switchableNetwork,
} from './support/pages.js';

const OFFLINE = 'Offline, reconnecting…';

test.describe('live updates while the connection comes and goes', () => {
  test('the order page says it is offline, then shows what changed meanwhile', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const network = await switchableNetwork(page);
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await page.goto(`/orders/${order.id}`);
    await expect(liveUpdates(page)).toHaveText('Live');
    await expect(orderStatus(page)).toHaveText('Created');
    await markDocument(page);

    await network.goOffline();
    await expect(liveUpdates(page)).toHaveText(OFFLINE);
    // The event of this change is sent while the page cannot hear it.
    await api.cancelOrder(order.id, 'Cancelled while you were offline');
    await expect(orderStatus(page)).toHaveText('Created');
    await expect(liveUpdates(page)).toHaveText(OFFLINE);
    await saveScreenshot('order-offline');

    network.goOnline();
    await expect(liveUpdates(page)).toHaveText('Live', { timeout: LIVE_TIMEOUT });
    await expect(orderStatus(page)).toHaveText('Cancelled');
    await expect(
      page.getByText('Cancellation reason: Cancelled while you were offline'),
    ).toBeVisible();
    await expectSameDocument(page);
    await saveScreenshot('order-back-online');
  });

  test('the orders list catches up on changed and new orders after reconnecting', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const network = await switchableNetwork(page);
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await page.goto('/orders');
    await expect(liveUpdates(page)).toHaveText('Live');
    await expect(statusCell(orderRow(page, order.id))).toHaveText('Created');
    await markDocument(page);

    await network.goOffline();
    await expect(liveUpdates(page)).toHaveText(OFFLINE);
    await api.cancelOrder(order.id);
    const placedMeanwhile = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await expect(statusCell(orderRow(page, order.id))).toHaveText('Created');
    await expect(orderRow(page, placedMeanwhile.id)).toHaveCount(0);
    await saveScreenshot('orders-list-offline');

    network.goOnline();
    await expect(liveUpdates(page)).toHaveText('Live', { timeout: LIVE_TIMEOUT });
    await expect(statusCell(orderRow(page, order.id))).toHaveText('Cancelled');
    await expect(orderRows(page).first().getByRole('link')).toHaveText(
      `#${placedMeanwhile.number}`,
    );
    await expectSameDocument(page);
    await saveScreenshot('orders-list-back-online');
  });

  test('a change made before live updates first connect is not lost', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    // The page reads the order over HTTP, then subscribes once its socket is up; whatever
    // happens in between is never sent to it, so it must read again once connected.
    const connection = await slowFirstConnection(page);
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await page.goto(`/orders/${order.id}`);
    await expect(orderStatus(page)).toHaveText('Created');
    await expect(liveUpdates(page)).toHaveText('Connecting…');
    await markDocument(page);

    await api.cancelOrder(order.id, 'Cancelled before the page was live');
    connection.release();
    await expect(liveUpdates(page)).toHaveText('Live', { timeout: LIVE_TIMEOUT });
    await expect(orderStatus(page)).toHaveText('Cancelled');
    await expectSameDocument(page);
    await saveScreenshot('order-first-connect');
  });

  test('after a reconnect the list resumes from its last event: loaded pages stay, nothing is re-read', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const network = await switchableNetwork(page);
    // At least two full pages (20 rows each) and more: declined orders settle at once; the two
    // held ones stay cancellable, one on each page.
    const declined = async (count: number) => {
      const made = [];
      for (let i = 0; i < count; i++)
        made.push(await api.createOrder({ paymentToken: 'tok_decline' }));
      return made;
    };
    const older = await declined(15);
    const onSecondPage = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const newer = await declined(24);
    const onFirstPage = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await Promise.all([...older, ...newer].map((o) => api.waitForStatus(o.id, 'CANCELLED')));

    await page.goto('/orders');
    await expect(liveUpdates(page)).toHaveText('Live');
    await expect(orderRows(page)).toHaveCount(20);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(orderRows(page)).toHaveCount(40);
    await expect(statusCell(orderRow(page, onSecondPage.id))).toHaveText('Created');
    // Heard live, so the tab has an event to resume from.
    const heard = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await expect(orderRows(page).first().getByRole('link')).toHaveText(`#${heard.number}`, {
      timeout: LIVE_TIMEOUT,
    });
    await markDocument(page);

    await network.goOffline();
    await expect(liveUpdates(page)).toHaveText(OFFLINE);
    const reads: string[] = [];
    page.on('request', (request) => {
      if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
      const body = request.postDataJSON() as { operationName?: string } | null;
      reads.push(body?.operationName ?? 'anonymous');
    });
    // Sent while the page cannot hear them: on the first page, on the second, and a new order.
    await api.cancelOrder(onFirstPage.id, 'While you were away');
    await api.cancelOrder(onSecondPage.id);
    const placedMeanwhile = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await expect(statusCell(orderRow(page, onSecondPage.id))).toHaveText('Created');
    await saveScreenshot('orders-pages-offline');

    network.goOnline();
    await expect(liveUpdates(page)).toHaveText('Live', { timeout: LIVE_TIMEOUT });
    await expect(statusCell(orderRow(page, onFirstPage.id))).toHaveText('Cancelled');
    await expect(statusCell(orderRow(page, onSecondPage.id))).toHaveText('Cancelled');
    await expect(orderRows(page).first().getByRole('link')).toHaveText(
      `#${placedMeanwhile.number}`,
    );
    // Both pages are still there (40 rows, the one heard live and the one placed meanwhile),
    // and the list was not read again: the server replayed what the tab missed.
    await expect(orderRows(page)).toHaveCount(42);
    expect(reads).toEqual([]);
    await expectSameDocument(page);
    await saveScreenshot('orders-pages-resumed');
  });
});
