import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import { dropLiveEvents, orderRow, orderStatus, statusCell } from './support/pages.js';

test.describe('cancelling', () => {
  test('from the order page, with a reason, after confirming', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await page.goto(`/orders/${order.id}`);
    await expect(orderStatus(page)).toHaveText('Created');

    await page.getByRole('button', { name: 'Cancel order' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this order?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('textbox', { name: 'Reason (optional)' }).fill('Changed my mind');
    await saveScreenshot('order-cancel-dialog');
    await dialog.getByRole('button', { name: 'Yes, cancel order' }).click();

    await expect(dialog).toBeHidden();
    await expect(orderStatus(page)).toHaveText('Cancelled');
    await expect(page.getByRole('status').filter({ hasText: 'Order cancelled.' })).toBeVisible();
    await expect(page.getByText('Cancellation reason: Changed my mind')).toBeVisible();
    const history = page.getByRole('list', { name: 'History' }).getByRole('listitem');
    await expect(history).toHaveCount(2);
    await expect(history.nth(1)).toContainText('Cancelled');
    await expect(history.nth(1)).toContainText('Changed my mind');
    await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
    await saveScreenshot('order-cancelled');

    const stored = await api.order(order.id);
    expect(stored).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Changed my mind' });
  });

  test('from the list; "Keep order" changes nothing', async ({ page, api, saveScreenshot }) => {
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await page.goto('/orders');
    const row = orderRow(page, order.id);
    const cancel = row.getByRole('button', { name: `Cancel order ${order.id}` });
    const dialog = page.getByRole('dialog', { name: 'Cancel this order?' });

    await cancel.click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Keep order' }).click();
    await expect(dialog).toBeHidden();
    await expect(statusCell(row)).toHaveText('Created');
    expect((await api.order(order.id))?.status).toBe('CREATED');

    await cancel.click();
    await expect(dialog).toBeVisible();
    await saveScreenshot('orders-list-cancel-dialog');
    await dialog.getByRole('button', { name: 'Yes, cancel order' }).click();
    await expect(dialog).toBeHidden();
    await expect(statusCell(row)).toHaveText('Cancelled');
    await expect(cancel).toHaveCount(0);
    await saveScreenshot('orders-list-cancelled');
    expect((await api.order(order.id))?.status).toBe('CANCELLED');

    await page.goto(`/orders/${order.id}`);
    await expect(
      page.getByText('Cancellation reason: Cancelled at the customer’s request'),
    ).toBeVisible();
  });

  // CONFIRMED lasts only the delivery delay; order-details.spec.ts checks the offer there.
  test('is offered for a CREATED order, not for a cancelled or delivered one', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const pending = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const declined = await api.createOrder({ paymentToken: 'tok_decline' });
    const delivered = await api.createOrder({ paymentToken: 'tok_approve' });
    await api.waitForStatus(declined.id, 'CANCELLED');
    await api.waitForStatus(delivered.id, 'DELIVERED', LIVE_TIMEOUT);

    await page.goto('/orders');
    for (const { id, status, offered } of [
      { id: pending.id, status: 'Created', offered: 1 },
      { id: declined.id, status: 'Cancelled', offered: 0 },
      { id: delivered.id, status: 'Delivered', offered: 0 },
    ]) {
      const row = orderRow(page, id);
      await expect(statusCell(row)).toHaveText(status);
      await expect(row.getByRole('button', { name: `Cancel order ${id}` })).toHaveCount(offered);
    }
    await saveScreenshot('orders-list-cancel-offered');

    for (const { id, status, offered } of [
      { id: declined.id, status: 'Cancelled', offered: 0 },
      { id: delivered.id, status: 'Delivered', offered: 0 },
      { id: pending.id, status: 'Created', offered: 1 },
    ]) {
      await page.goto(`/orders/${id}`);
      await expect(orderStatus(page)).toHaveText(status);
      await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(offered);
      await saveScreenshot(`order-${status.toLowerCase()}-cancel-offered`);
    }
  });

  test('refused by the server (delivered meanwhile): the error and the current status', async ({
    page,
    api,
    payments,
    saveScreenshot,
  }) => {
    const order = await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    // The page stays connected but misses every event, so it still offers the cancel.
    await dropLiveEvents(page);
    await page.goto(`/orders/${order.id}`);
    await expect(orderStatus(page)).toHaveText('Created');

    await payments.release(order.id);
    await api.waitForStatus(order.id, 'DELIVERED', LIVE_TIMEOUT);
    await expect(orderStatus(page)).toHaveText('Created');

    await page.getByRole('button', { name: 'Cancel order' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this order?' });
    await dialog.getByRole('button', { name: 'Yes, cancel order' }).click();

    // The page sends the version it showed, so the server answers with a conflict, in words.
    await expect(
      page.getByRole('alert').filter({
        hasText:
          'This order changed while you were looking at it: it is now Delivered, so it can no longer be cancelled.',
      }),
    ).toBeVisible();
    await expect(orderStatus(page)).toHaveText('Delivered');
    await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
    await saveScreenshot('order-cancel-refused');
    expect((await api.order(order.id))?.status).toBe('DELIVERED');
  });
});
