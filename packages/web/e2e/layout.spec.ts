import { expect, test } from './support/fixtures.js';

test.describe('every page', () => {
  test('/ is the dashboard; the nav reaches each page; live updates are on', async ({
    page,
    saveScreenshot,
  }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    await expect(page).toHaveTitle('Dashboard · Orders');
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('Live');
    await saveScreenshot('dashboard');

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Orders', exact: true }).click();
    await expect(page).toHaveURL(/\/orders$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Orders' })).toBeVisible();
    await expect(page).toHaveTitle('Orders · Orders');
    await saveScreenshot('orders-list');

    await nav.getByRole('link', { name: 'New order' }).click();
    await expect(page).toHaveURL(/\/orders\/new$/);
    await expect(page.getByRole('heading', { level: 1, name: 'New order' })).toBeVisible();
    await expect(page).toHaveTitle('New order · Orders');
    await saveScreenshot('new-order');

    await nav.getByRole('link', { name: 'GraphQL IDE' }).click();
    await expect(page).toHaveURL(/\/graphiql$/);
    await expect(page.getByRole('button', { name: 'Execute query' })).toBeVisible();
    await saveScreenshot('graphiql');

    await nav.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  });

  test('an unknown address says "Page not found" and leads back to the orders', async ({
    page,
    saveScreenshot,
  }) => {
    await page.goto('/no/such/page');
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    await expect(page).toHaveTitle('Page not found · Orders');
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('Live');
    await saveScreenshot('page-not-found');

    await page.getByRole('main').getByRole('link', { name: 'Back to orders' }).click();
    await expect(page).toHaveURL(/\/orders$/);
  });
});
