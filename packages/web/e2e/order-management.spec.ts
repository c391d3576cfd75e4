import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import { dropLiveEvents, orderStatus } from './support/pages.js';

test.describe('order management', () => {
  test('cancel with a stale version explains the conflict in words and changes nothing', async ({
    page,
    api,
    payments,
    saveScreenshot,
  }) => {
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    // The page sees no live events, as if the change below happened while it was not looking.
    await dropLiveEvents(page);
    await page.goto(`/orders/${order.id}`);
    await expect(orderStatus(page)).toHaveText('Created');

    await payments.release(order.id);
    await api.waitForStatus(order.id, 'CONFIRMED');
    await expect(orderStatus(page)).toHaveText('Created');

    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('button', { name: 'Yes, cancel order' }).click();

    await expect(page.getByRole('alert')).toContainText(
      'This order changed while you were looking at it: it is now Confirmed. Review it and cancel again if you still want to.',
    );
    // The page re-read the order after the refusal.
    await expect(orderStatus(page)).toHaveText('Confirmed', { timeout: LIVE_TIMEOUT });
    await saveScreenshot('order-cancel-conflict');
    const stored = await api.order(order.id);
    expect(stored?.status).not.toBe('CANCELLED');
  });

  test('shows the next step in a timer and who made each history entry', async ({
    page,
    api,
    payments,
  }) => {
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await page.goto(`/orders/${order.id}`);
    await expect(orderStatus(page)).toHaveText('Created');
    const history = page.getByRole('list', { name: 'History' }).getByRole('listitem');
    // The e2e API helper creates orders with an admin token whose subject is demo-customer.
    await expect(history.nth(0)).toContainText('by admin demo-customer');
    await expect(page.getByRole('timer')).toHaveText(
      /^Payment (retry \d+ )?(in \d+( min \d+)? s|due now)/,
    );

    await payments.release(order.id);
    await expect(orderStatus(page)).toHaveText(/Confirmed|Delivered/, { timeout: LIVE_TIMEOUT });
    await expect(history.nth(1)).toContainText('by payment provider');
    await expect(history.nth(2)).toContainText('by system', { timeout: LIVE_TIMEOUT });
  });
});
