import type { Page } from '@playwright/test';
import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import { expectSameDocument, markDocument } from './support/pages.js';

/** The dashboard's figure for one status, read from its link (`Created: 3`). */
async function countOf(page: Page, status: string): Promise<number> {
  const link = page
    .getByRole('region', { name: 'Orders by status' })
    .getByRole('link', { name: new RegExp(`^${status}: \\d+$`) });
  const name = (await link.getAttribute('aria-label')) ?? '';
  return Number(name.split(': ')[1]);
}

test.describe('dashboard', () => {
  test('counts and revenue change live when orders are placed', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    const byStatus = page.getByRole('region', { name: 'Orders by status' });
    // Every status, zeros included.
    for (const status of ['Created', 'Confirmed', 'Delivered', 'Cancelled']) {
      await expect(
        byStatus.getByRole('link', { name: new RegExp(`^${status}: \\d+$`) }),
      ).toBeVisible();
    }
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('Live');
    const createdBefore = await countOf(page, 'Created');
    const revenue = page.getByRole('region', { name: 'Revenue' });
    // No other spec pays in NZD: its revenue is this test's alone.
    await expect(revenue).not.toContainText('NZD');
    await markDocument(page);

    // Held: stays Created until released, so the count cannot have moved back by the time it is read.
    await api.createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    await expect
      .poll(() => countOf(page, 'Created'), { timeout: LIVE_TIMEOUT })
      .toBeGreaterThan(createdBefore);

    // Paid at once: confirmed, so it counts as revenue in its currency.
    await api.createOrder({ paymentToken: 'tok_approve', currency: 'NZD' });
    await expect(revenue.getByRole('definition')).toContainText(['NZ$25.00'], {
      timeout: LIVE_TIMEOUT,
    });
    await expect(revenue).toContainText('NZD');
    await expectSameDocument(page);
    await saveScreenshot('dashboard-live');
  });

  test('orders per minute: a chart, a text summary and the figures as a table', async ({
    page,
    api,
  }) => {
    await api.createOrder({ paymentToken: 'tok_approve' });
    await page.goto('/');
    const perMinute = page.getByRole('region', { name: 'Orders per minute, last hour' });
    await expect(perMinute.locator('.chart svg.recharts-surface')).toBeVisible();
    const summary = perMinute.getByRole('figure');
    await expect(summary).toContainText(
      /\d+ orders? in the last 60 minutes; at most [1-9]\d* in one minute/,
    );

    await perMinute.getByText('The figures as a table').click();
    const table = perMinute.getByRole('table', { name: 'Orders created per minute' });
    await expect(table.getByRole('row')).toHaveCount(61);
    await expect(table.getByRole('columnheader')).toHaveText(['Minute', 'Orders']);
  });
});
