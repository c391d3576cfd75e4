import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import {
  orderRow,
  orderRows,
  ordersTable,
  statusCell,
  totalCell,
  markDocument,
  expectSameDocument,
} from './support/pages.js';

test.describe('orders list', () => {
  test('shows each order with status, total and a link; rows and new orders arrive live', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const pending = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });

    await page.goto('/orders');
    await expect(page.getByRole('heading', { level: 1, name: 'Orders' })).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'New order' })).toBeVisible();
    await expect(ordersTable(page).getByRole('columnheader')).toHaveText([
      'Order',
      'Customer',
      'Items',
      'Total',
      'Status',
      'Created',
      'Actions',
    ]);
    const pendingRow = orderRow(page, pending.id);
    await expect(statusCell(pendingRow)).toHaveText('Created');
    await expect(totalCell(pendingRow)).toHaveText('$25.00');
    await expect(pendingRow.getByRole('cell').nth(0)).toHaveText(`#${pending.number}`);
    await expect(pendingRow.getByRole('cell').nth(1)).toHaveText('—');
    await expect(pendingRow.getByRole('cell').nth(2)).toHaveText('Mug × 2');
    await expect(
      pendingRow.getByRole('button', { name: `Cancel order ${pending.id}` }),
    ).toBeVisible();
    await markDocument(page);

    // Placed elsewhere while the list is open: it appears at the top, then follows its payment.
    const declined = await api.createOrder({ paymentToken: 'tok_decline', currency: 'EUR' });
    const declinedRow = orderRow(page, declined.id);
    await expect(orderRows(page).first().getByRole('link')).toHaveText(`#${declined.number}`, {
      timeout: LIVE_TIMEOUT,
    });
    await expect(statusCell(declinedRow)).toHaveText('Cancelled', { timeout: LIVE_TIMEOUT });
    await expect(totalCell(declinedRow)).toHaveText('€25.00');
    await expect(declinedRow.getByRole('button', { name: /^Cancel order/ })).toHaveCount(0);
    await expect(orderRows(page).nth(1).getByRole('link')).toHaveText(`#${pending.number}`);
    await expectSameDocument(page);
    await saveScreenshot('orders-list-live');

    await pendingRow.getByRole('link', { name: `#${pending.number}` }).click();
    await expect(page).toHaveURL(new RegExp(`/orders/${pending.id}$`));
    await expect(
      page.getByRole('heading', { level: 1, name: `Order #${pending.number}` }),
    ).toBeVisible();
    await expect(page.getByRole('main')).toContainText(pending.id);
  });

  test('filters by status, kept in the URL; a row leaves when its order moves out', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const pending = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const declined = await api.createOrder({ paymentToken: 'tok_decline' });
    await api.waitForStatus(declined.id, 'CANCELLED');

    await page.goto('/orders');
    const filter = page.getByRole('group', { name: 'Status' });
    await expect(filter.getByRole('checkbox')).toHaveCount(4);
    await expect(filter).toHaveText(/^Status\s*Created\s*Confirmed\s*Delivered\s*Cancelled$/);
    await filter.getByRole('checkbox', { name: 'Created' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/\/orders\?status=CREATED$/);
    await expect(orderRow(page, pending.id)).toBeVisible();
    await expect(orderRow(page, declined.id)).toHaveCount(0);
    await expect(
      orderRows(page).filter({
        has: page.getByRole('cell', { name: /^(Confirmed|Delivered|Cancelled)$/ }),
      }),
    ).toHaveCount(0);
    await saveScreenshot('orders-list-created');

    // The filter is in the address: a bookmark (here, a reload) opens the same view.
    await page.reload();
    await expect(filter.getByRole('checkbox', { checked: true })).toHaveAccessibleName('Created');
    await expect(orderRow(page, pending.id)).toBeVisible();
    await expect(orderRow(page, declined.id)).toHaveCount(0);

    await api.cancelOrder(pending.id, 'Moved out of the filter');
    await expect(orderRow(page, pending.id)).toHaveCount(0, { timeout: LIVE_TIMEOUT });

    await filter.getByRole('checkbox', { name: 'Created' }).uncheck();
    await filter.getByRole('checkbox', { name: 'Cancelled' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/\/orders\?status=CANCELLED$/);
    await expect(statusCell(orderRow(page, pending.id))).toHaveText('Cancelled');
    await expect(statusCell(orderRow(page, declined.id))).toHaveText('Cancelled');
    await expect(
      orderRows(page).filter({
        has: page.getByRole('cell', { name: /^(Created|Confirmed|Delivered)$/ }),
      }),
    ).toHaveCount(0);
    await saveScreenshot('orders-list-cancelled');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(page).toHaveURL(/\/orders$/);
    await expect(orderRow(page, pending.id)).toBeVisible();
  });

  test('shows 20 orders, newest first, and "Load more" brings the next page', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    // Oldest first; one more than a page. Declined at once, so nothing changes while we look.
    // The links read the order numbers.
    const ids: string[] = [];
    for (let i = 0; i < 21; i += 1) {
      ids.push(`#${(await api.createOrder({ paymentToken: 'tok_decline' })).number}`);
    }
    const newestFirst = [...ids].reverse();

    await page.goto('/orders');
    await expect(orderRows(page).getByRole('link')).toHaveText(newestFirst.slice(0, 20));
    await saveScreenshot('orders-list-first-page');

    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(orderRows(page).nth(20).getByRole('link')).toHaveText(newestFirst[20] ?? '');
    // The next page follows on from the first, without repeating or skipping an order.
    const shown = await orderRows(page).getByRole('link').allTextContents();
    expect(shown.slice(0, 21)).toEqual(newestFirst);
    expect(new Set(shown).size).toBe(shown.length);
    await saveScreenshot('orders-list-second-page');
  });

  test('says when it is loading, when there is nothing, and when the API fails', async ({
    page,
    saveScreenshot,
  }) => {
    // These states depend on what the API answers, not on data a test can make, so the list
    // query alone is answered here; everything else (the WebSocket too) stays real.
    let answer: 'hold' | 'empty' | 'fail' = 'hold';
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/graphql', async (route) => {
      const body: unknown = route.request().postDataJSON();
      const operation =
        typeof body === 'object' && body !== null && 'operationName' in body
          ? body.operationName
          : undefined;
      if (operation !== 'Orders') return route.continue();
      if (answer === 'hold') {
        await held;
        return route.continue();
      }
      if (answer === 'fail') return route.abort('connectionrefused');
      return route.fulfill({ json: EMPTY_PAGE });
    });

    await page.goto('/orders');
    await expect(page.getByRole('status').filter({ hasText: 'Loading orders…' })).toBeVisible();
    await saveScreenshot('orders-list-loading');
    release();
    await expect(orderRows(page).first()).toBeVisible();

    answer = 'empty';
    await page.goto('/orders');
    await expect(page.getByText('No orders yet.')).toBeVisible();
    await expect(ordersTable(page)).toHaveCount(0);
    await saveScreenshot('orders-list-empty');
    await page.goto('/orders?status=DELIVERED');
    await expect(page.getByText('No orders match this search and these filters.')).toBeVisible();

    answer = 'fail';
    await page.goto('/orders');
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(ordersTable(page)).toHaveCount(0);
    await saveScreenshot('orders-list-error');
  });
});

/** An empty first page, shaped as orders-api answers it. */
const EMPTY_PAGE = {
  data: {
    orders: {
      __typename: 'OrderConnection',
      edges: [],
      pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
    },
  },
};
