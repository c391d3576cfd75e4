import { randomUUID } from 'node:crypto';
import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import { expectSameDocument, markDocument, orderStatus } from './support/pages.js';

const TWO_LINES = [
  { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250 },
  { sku: 'TEE-42', name: 'T-shirt', quantity: 1, unitPrice: 1999 },
];

test.describe('order page', () => {
  test('shows items, total and history, and follows CREATED → CONFIRMED → DELIVERED live', async ({
    page,
    api,
    payments,
    saveScreenshot,
  }) => {
    // Held at the payments relay, so the page is sure to see the order CREATED first.
    const order = await api.createOrder({ items: TWO_LINES, paymentToken: HELD_PAYMENT_TOKEN });

    await page.goto(`/orders/${order.id}`);
    await expect(
      page.getByRole('heading', { level: 1, name: `Order #${order.number}` }),
    ).toBeVisible();
    await expect(page).toHaveTitle(`Order #${order.number} · Orders`);
    // The number is what people quote; the id, which the address and the API use, is shown too.
    await expect(page.getByRole('main')).toContainText(order.id);
    await expect(orderStatus(page)).toHaveText('Created');

    const items = page.getByRole('table', { name: 'Items' });
    await expect(items.getByRole('columnheader')).toHaveText([
      'SKU',
      'Name',
      'Quantity',
      'Unit price',
      'Line total',
    ]);
    // Each line once, in order placed (a footer row may carry the total).
    const line = (sku: string) =>
      items.getByRole('row').filter({ has: page.getByRole('cell', { name: sku, exact: true }) });
    await expect(line('MUG-1').getByRole('cell')).toHaveText([
      'MUG-1',
      'Mug',
      '2',
      '$12.50',
      '$25.00',
    ]);
    await expect(line('TEE-42').getByRole('cell')).toHaveText([
      'TEE-42',
      'T-shirt',
      '1',
      '$19.99',
      '$19.99',
    ]);
    await expect(items.getByRole('row').nth(1)).toContainText('MUG-1');
    await expect(items.getByRole('row').nth(2)).toContainText('TEE-42');
    await expect(page.getByRole('main')).toContainText('$44.99');

    await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
    const history = page.getByRole('list', { name: 'History' }).getByRole('listitem');
    await expect(history).toHaveCount(1);
    await expect(history.nth(0)).toContainText('Created');
    await expect(history.nth(0).locator('time')).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Cancel order' })).toBeVisible();
    await saveScreenshot('order-created');

    await markDocument(page);
    await payments.release(order.id);

    await expect(orderStatus(page)).toHaveText('Confirmed', { timeout: LIVE_TIMEOUT });
    // Still cancellable (delivery is DELIVERY_DELAY_SECONDS away): the lifecycle allows it.
    await expect(page.getByRole('button', { name: 'Cancel order' })).toBeVisible();
    await expect(history).toHaveCount(2);
    await expect(history.nth(1)).toContainText('Confirmed');
    await saveScreenshot('order-confirmed');

    await expect(orderStatus(page)).toHaveText('Delivered', { timeout: LIVE_TIMEOUT });
    await expect(history).toHaveCount(3);
    await expect(history.nth(2)).toContainText('Delivered');
    await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
    await expect(page.getByText(/Cancellation reason/)).toHaveCount(0);
    await expectSameDocument(page);
    await saveScreenshot('order-delivered');
  });

  test('a declined payment cancels the order and says why', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const order = await api.createOrder({ paymentToken: 'tok_decline' });

    await page.goto(`/orders/${order.id}`);
    await expect(orderStatus(page)).toHaveText('Cancelled', { timeout: LIVE_TIMEOUT });
    await expect(page.getByText('Cancellation reason: Payment declined')).toBeVisible();
    const history = page.getByRole('list', { name: 'History' }).getByRole('listitem');
    await expect(history).toHaveCount(2);
    await expect(history.nth(0)).toContainText('Created');
    await expect(history.nth(1)).toContainText('Cancelled');
    await expect(history.nth(1)).toContainText('Payment declined');
    await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
    await saveScreenshot('order-declined');
  });

  for (const [what, id] of [
    ['an id no order has', randomUUID()],
    ['something that is not an id', 'not-an-order-id'],
  ] as const) {
    test(`${what} is "Order not found"`, async ({ page, saveScreenshot }) => {
      await page.goto(`/orders/${id}`);
      await expect(page.getByRole('heading', { level: 1, name: 'Order not found' })).toBeVisible();
      await expect(orderStatus(page)).toHaveCount(0);
      await saveScreenshot('order-not-found');
      await page.getByRole('link', { name: 'Back to orders' }).click();
      await expect(page).toHaveURL(/\/orders$/);
    });
  }
});
