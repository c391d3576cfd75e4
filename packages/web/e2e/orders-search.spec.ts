import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import type { Order, OrdersApi } from './support/orders-api.js';
import {
  expectSameDocument,
  markDocument,
  orderRow,
  orderRows,
  ordersTable,
} from './support/pages.js';

/**
 * A word no other order has, so each test's search finds its own orders only (all specs share
 * one orders-api). Upper case, as SKUs are written; search ignores case.
 */
function uniqueTag(): string {
  return `Q${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`.toUpperCase();
}

/** An order of one item, `sku`, at `major` dollars; held (stays Created) unless told. */
function createItem(
  api: OrdersApi,
  sku: string,
  major: number,
  paymentToken = HELD_PAYMENT_TOKEN,
): Promise<Order> {
  return api.createOrder({
    items: [{ sku, name: `Lamp ${sku}`, quantity: 1, unitPrice: major * 100 }],
    paymentToken,
  });
}

const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search orders' });

/** Searches the way a user does: types, then presses Enter. */
async function search(page: Page, text: string): Promise<void> {
  await searchBox(page).fill(text);
  await searchBox(page).press('Enter');
}

/** The order numbers the table shows, top to bottom (`#1042`). */
const numbersShown = (page: Page) => orderRows(page).getByRole('link');

/** The totals the table shows, top to bottom (each row's fourth cell). */
const totalsShown = (page: Page) => orderRows(page).locator('td:nth-child(4)');

test.describe('orders list: search, filters, sort', () => {
  test('search finds an order by #number or by a SKU substring; short text is not sent', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const tag = uniqueTag();
    const lamp = await createItem(api, `${tag}-LAMP`, 30);
    const desk = await createItem(api, `${tag}-DESK`, 20);

    await page.goto('/orders');
    await search(page, `#${desk.number}`);
    await expect(page).toHaveURL(new RegExp(`[?&]search=%23${desk.number}(&|$)`));
    await expect(numbersShown(page)).toHaveText([`#${desk.number}`]);

    // A substring of a SKU, in lower case: both of this test's orders, nothing else.
    await searchBox(page).fill(`${tag.slice(1)}-`.toLowerCase());
    await expect(numbersShown(page)).toHaveText([`#${desk.number}`, `#${lamp.number}`], {
      timeout: LIVE_TIMEOUT,
    });
    await search(page, `${tag}-la`.toLowerCase());
    await expect(numbersShown(page)).toHaveText([`#${lamp.number}`]);
    await saveScreenshot('orders-search-sku');

    // Two letters: the shared rule's words, and the list stays as it was.
    await search(page, 'la');
    await expect(page.getByText(/at least 3 characters/)).toBeVisible();
    await expect(searchBox(page)).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/search=q/i);
    await expect(numbersShown(page)).toHaveText([`#${lamp.number}`]);

    // Refining the search replaced the history entry: one Back leaves the search.
    await page.goBack();
    await expect(page).toHaveURL(/\/orders$/);
    await expect(searchBox(page)).toHaveValue('');
  });

  test('status filter, sort by total, and the view survives a reload', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const tag = uniqueTag();
    const thirty = await createItem(api, `${tag}-A`, 30);
    const ten = await createItem(api, `${tag}-B`, 10);
    const twenty = await createItem(api, `${tag}-C`, 20);
    const declined = await createItem(api, `${tag}-D`, 15, 'tok_decline');
    await api.waitForStatus(declined.id, 'CANCELLED');

    await page.goto('/orders');
    await search(page, tag);
    await expect(numbersShown(page)).toHaveCount(4);

    await page.getByRole('checkbox', { name: 'Created' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/[?&]status=CREATED(&|$)/);
    await expect(orderRow(page, declined.id)).toHaveCount(0);
    await expect(numbersShown(page)).toHaveCount(3);

    // Newest first to begin with; the first click on Total sorts largest first, the second
    // smallest first.
    const totalHeader = ordersTable(page).getByRole('columnheader', { name: 'Total' });
    await expect(totalHeader).not.toHaveAttribute('aria-sort');
    await expect(ordersTable(page).getByRole('columnheader', { name: 'Created' })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    await totalHeader.getByRole('button', { name: 'Total' }).click();
    await expect(totalHeader).toHaveAttribute('aria-sort', 'descending');
    await expect(totalsShown(page)).toHaveText(['$30.00', '$20.00', '$10.00']);
    // From the keyboard: the header's button keeps focus and Enter turns the direction round.
    await expect(totalHeader.getByRole('button')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(totalHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(totalsShown(page)).toHaveText(['$10.00', '$20.00', '$30.00']);
    await expect(numbersShown(page)).toHaveText([
      `#${ten.number}`,
      `#${twenty.number}`,
      `#${thirty.number}`,
    ]);
    await expect(page).toHaveURL(/[?&]sort=TOTAL&direction=ASC(&|$)/);
    await saveScreenshot('orders-search-filtered-sorted');

    // A reload (or the link shared) shows the same view.
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await expect(searchBox(page)).toHaveValue(tag);
    await expect(page.getByRole('checkbox', { name: 'Created' })).toBeChecked();
    await expect(page.getByRole('checkbox', { name: 'Cancelled' })).not.toBeChecked();
    await expect(totalHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(numbersShown(page)).toHaveText([
      `#${ten.number}`,
      `#${twenty.number}`,
      `#${thirty.number}`,
    ]);

    // Clear: every filter goes, the search and sort stay.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(page).not.toHaveURL(/status=/);
    await expect(numbersShown(page)).toHaveText([
      `#${ten.number}`,
      `#${declined.number}`,
      `#${twenty.number}`,
      `#${thirty.number}`,
    ]);
  });

  test('the total range is typed in major units and wrong input is explained', async ({
    page,
    api,
  }) => {
    const tag = uniqueTag();
    await createItem(api, `${tag}-A`, 30);
    const twenty = await createItem(api, `${tag}-B`, 20);
    await createItem(api, `${tag}-C`, 10);

    await page.goto(`/orders?search=${tag}`);
    await expect(numbersShown(page)).toHaveCount(3);
    await page.getByLabel('Total from').fill('15');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.getByLabel('Total from')).toHaveAccessibleDescription(
      /choose a currency first/,
    );
    await page.getByLabel('Currency').fill('usd');
    await page.getByLabel('Total to').fill('25.001');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.getByLabel('Total to')).toHaveAccessibleDescription(/at most 2 decimals/);
    await page.getByLabel('Total to').fill('25');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/totalMin=1500&totalMax=2500&currency=USD/);
    await expect(numbersShown(page)).toHaveText([`#${twenty.number}`]);
  });

  test('a live order appears only if it matches the view', async ({ page, api }) => {
    const tag = uniqueTag();
    const first = await createItem(api, `${tag}-OLD`, 10);

    await page.goto(`/orders?search=${tag}&status=CREATED`);
    await expect(numbersShown(page)).toHaveText([`#${first.number}`]);
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('Live');
    await markDocument(page);
    const reads: string[] = [];
    page.on('request', (request) => {
      if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
      const body = request.postDataJSON() as { operationName?: string } | null;
      reads.push(body?.operationName ?? 'anonymous');
    });

    // Placed while the list is open, in this order: one the search does not find, one that
    // leaves the status filter (declined), then one that matches.
    const other = await createItem(api, `OTHER-${tag.slice(1)}`, 10);
    const declined = await createItem(api, `${tag}-DECLINED`, 10, 'tok_decline');
    await api.waitForStatus(declined.id, 'CANCELLED');
    const matching = await createItem(api, `${tag}-NEW`, 10);

    await expect(numbersShown(page)).toHaveText([`#${matching.number}`, `#${first.number}`], {
      timeout: LIVE_TIMEOUT,
    });
    await expect(orderRow(page, other.id)).toHaveCount(0);
    await expect(orderRow(page, declined.id)).toHaveCount(0);
    // Placed from the events alone: the list was not read again.
    expect(reads).toEqual([]);
    await expectSameDocument(page);
  });

  test('Download CSV saves the rows of the view', async ({ page, api }) => {
    const tag = uniqueTag();
    const thirty = await createItem(api, `${tag}-A`, 30);
    const ten = await createItem(api, `${tag}-B`, 10);
    await createItem(api, `${tag}-C`, 20, 'tok_decline');
    const twenty = await createItem(api, `${tag}-D`, 20);

    await page.goto(`/orders?search=${tag}&status=CREATED&sort=TOTAL&direction=ASC`);
    await expect(numbersShown(page)).toHaveText([
      `#${ten.number}`,
      `#${twenty.number}`,
      `#${thirty.number}`,
    ]);

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^orders-.+\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const [header, ...rows] = text.trim().split(/\r?\n/);
    expect(header).toBe(
      'number,id,status,created_at,updated_at,customer_name,customer_email,currency,total,total_minor,items,ship_country',
    );
    // The same orders, in the same order, as the table shows.
    expect(rows.map((row) => row.split(',').slice(0, 3))).toEqual(
      [ten, twenty, thirty].map((o) => [String(o.number), o.id, 'CREATED']),
    );
    expect(rows.map((row) => row.split(',')[8])).toEqual(['10.00', '20.00', '30.00']);
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('Download CSV sends the tab’s token: a customer gets their own orders only', async ({
    page,
    secured,
  }) => {
    const tag = uniqueTag();
    const alice = `alice-${tag}`;
    const aliceToken = secured.token({ sub: alice });
    const item = (sku: string) => [{ sku, name: 'Lamp', quantity: 1, unitPrice: 1500 }];
    const mine = await secured
      .apiAs(aliceToken)
      .createOrder({ items: item(`${tag}-MINE`), paymentToken: HELD_PAYMENT_TOKEN });
    await secured
      .apiAs(secured.token({ sub: `bob-${tag}` }))
      .createOrder({ items: item(`${tag}-THEIRS`), paymentToken: HELD_PAYMENT_TOKEN });
    // What the SPA keeps the token under (src/lib/auth/access-token.ts), set before it starts.
    await page.addInitScript((value) => {
      sessionStorage.setItem('oms.accessToken', value);
    }, aliceToken);

    await page.goto(`${secured.webUrl}/orders?search=${tag}`);
    await expect(numbersShown(page)).toHaveText([`#${mine.number}`]);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const text = await readFile(await (await downloading).path(), 'utf8');
    const rows = text.trim().split(/\r?\n/).slice(1);
    expect(rows.map((row) => row.split(',')[1])).toEqual([mine.id]);
  });

  test('Download CSV says it is preparing, then in words when it fails', async ({ page }) => {
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route('**/orders.csv*', async (route) => {
      await answered;
      await route.fulfill({ status: 503, body: 'overloaded' });
    });
    await page.goto('/orders');
    const button = page.getByRole('button', { name: 'Download CSV' });
    await button.click();
    await expect(page.getByRole('status').filter({ hasText: 'Preparing CSV…' })).toBeVisible();
    await expect(button).toBeDisabled();
    answer();
    await expect(page.getByRole('alert')).toHaveText(
      /The CSV could not be downloaded\. .*HTTP 503/,
    );
    await expect(button).toBeEnabled();
    await expect(page.getByText('Preparing CSV…')).toHaveCount(0);
  });

  test('the created range is whole UTC days, the To day included', async ({ page, api }) => {
    const tag = uniqueTag();
    const order = await createItem(api, `${tag}-DAY`, 10);
    const day = order.createdAt.slice(0, 10);
    const dayAfter = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000)
      .toISOString()
      .slice(0, 10);
    const dayBefore = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000)
      .toISOString()
      .slice(0, 10);

    await page.goto(`/orders?search=${tag}`);
    await expect(numbersShown(page)).toHaveText([`#${order.number}`]);
    const from = page.getByLabel('Created from (UTC)');
    const to = page.getByLabel('Created to (UTC)');
    const apply = page.getByRole('button', { name: 'Apply filters' });

    // One day: from and to the same date, which holds the order.
    await from.fill(day);
    await to.fill(day);
    await apply.click();
    await expect(page).toHaveURL(
      new RegExp(`createdAfter=${day}T00%3A00%3A00.000Z&createdBefore=${dayAfter}T00%3A00`),
    );
    await expect(numbersShown(page)).toHaveText([`#${order.number}`]);

    // Ending before it starts: said next to the To date, and nothing changes.
    await to.fill(dayBefore);
    await apply.click();
    await expect(to).toHaveAccessibleDescription(/must be later than the From date/);
    await expect(numbersShown(page)).toHaveText([`#${order.number}`]);

    await from.fill(dayBefore);
    await apply.click();
    await expect(page.getByText('No orders match this search and these filters.')).toBeVisible();
  });

  test('at 390 px the filters fold away and the table scrolls inside its own box', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    const tag = uniqueTag();
    const order = await createItem(api, `${tag}-PHONE`, 12);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/orders?search=${tag}`);
    await expect(orderRow(page, order.id)).toBeVisible();
    const apply = page.getByRole('button', { name: 'Apply filters' });
    await expect(apply).toBeHidden();
    await page.getByText('Filters', { exact: true }).click();
    await expect(apply).toBeVisible();
    // The page itself does not scroll sideways; the table's box does.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    const box = page.getByRole('region', { name: 'Orders table' });
    expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await saveScreenshot('orders-search-390');
  });
});
