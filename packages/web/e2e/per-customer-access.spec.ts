import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import { liveUpdates, orderRow, orderStatus, statusCell } from './support/pages.js';

/** What the SPA keeps the token under (src/lib/auth/access-token.ts), set before it starts. */
async function signInBeforeLoad(page: Page, token: string): Promise<void> {
  await page.addInitScript((value) => {
    sessionStorage.setItem('oms.accessToken', value);
  }, token);
}

/** Customers of their own per test, so no other test's orders are in their lists. */
function customers() {
  const run = randomUUID().slice(0, 8);
  return { alice: `alice-${run}`, bob: `bob-${run}` };
}

test.describe('per-customer access (orders-api with ORDERS_JWT_SECRET)', () => {
  test('a customer sees only their own orders, live; another customer’s order is not found', async ({
    page,
    secured,
    payments,
    saveScreenshot,
  }) => {
    const { alice, bob } = customers();
    const aliceToken = secured.token({ sub: alice });
    const mine = await secured.apiAs(aliceToken).createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const theirs = await secured
      .apiAs(secured.token({ sub: bob }))
      .createOrder({ paymentToken: 'tok_approve' });

    await signInBeforeLoad(page, aliceToken);
    await page.goto(`${secured.webUrl}/orders`);
    await expect(page.getByRole('button', { name: `Signed in as ${alice}` })).toBeVisible();
    await expect(liveUpdates(page)).toHaveText('Live');
    await expect(statusCell(orderRow(page, mine.id))).toHaveText('Created');
    await expect(orderRow(page, theirs.id)).toHaveCount(0);

    // Alice's own order moves on, and her list follows it without a reload.
    await payments.release(mine.id);
    await expect(statusCell(orderRow(page, mine.id))).toHaveText('Confirmed', {
      timeout: LIVE_TIMEOUT,
    });
    await expect(orderRow(page, theirs.id)).toHaveCount(0);
    await saveScreenshot('secured-orders-list');

    // Bob's order, by its exact address, is as absent as an order that does not exist.
    await page.goto(`${secured.webUrl}/orders/${theirs.id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Order not found' })).toBeVisible();
    await saveScreenshot('secured-other-customers-order');

    await page.goto(`${secured.webUrl}/orders/${mine.id}`);
    await expect(orderStatus(page)).toHaveText(/Confirmed|Delivered/);
  });

  test('without a token the app says it is refused; signing in through the dialog lets it in', async ({
    page,
    secured,
    saveScreenshot,
  }) => {
    const { alice } = customers();
    const aliceToken = secured.token({ sub: alice });
    const mine = await secured.apiAs(aliceToken).createOrder({ paymentToken: HELD_PAYMENT_TOKEN });

    await page.goto(`${secured.webUrl}/orders`);
    await expect(page.getByRole('alert')).toContainText('The orders could not be loaded.');
    await expect(liveUpdates(page)).toHaveText('Not signed in: live updates refused', {
      timeout: LIVE_TIMEOUT,
    });
    await saveScreenshot('secured-refused');

    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog', { name: 'Access token' });
    await dialog.getByLabel('Access token (JWT)').fill(aliceToken);
    await dialog.getByRole('button', { name: 'Save and reload' }).click();

    await expect(page.getByRole('button', { name: `Signed in as ${alice}` })).toBeVisible();
    await expect(liveUpdates(page)).toHaveText('Live');
    await expect(statusCell(orderRow(page, mine.id))).toHaveText('Created');
    await saveScreenshot('secured-signed-in');

    // Signing out forgets the token: refused again.
    await page.getByRole('button', { name: `Signed in as ${alice}` }).click();
    await page
      .getByRole('dialog', { name: 'Access token' })
      .getByRole('button', { name: 'Sign out' })
      .click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('The orders could not be loaded.');
  });

  test('an admin sees every customer’s orders', async ({ page, secured }) => {
    const { alice, bob } = customers();
    const aliceOrder = await secured
      .apiAs(secured.token({ sub: alice }))
      .createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const bobOrder = await secured
      .apiAs(secured.token({ sub: bob }))
      .createOrder({ paymentToken: HELD_PAYMENT_TOKEN });

    await signInBeforeLoad(page, secured.token({ sub: `ops-${alice}`, roles: ['admin'] }));
    await page.goto(`${secured.webUrl}/orders`);
    await expect(page.getByRole('button', { name: /\(admin\)$/ })).toBeVisible();
    await expect(statusCell(orderRow(page, aliceOrder.id))).toHaveText('Created');
    await expect(statusCell(orderRow(page, bobOrder.id))).toHaveText('Created');
  });
});
