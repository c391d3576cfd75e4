import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, HELD_PAYMENT_TOKEN, LIVE_TIMEOUT, test } from './support/fixtures.js';
import type { OrdersApi } from './support/orders-api.js';
import {
  expectSameDocument,
  liveUpdates,
  markDocument,
  orderStatus,
  recordOperationRequests,
} from './support/pages.js';

interface Note {
  id: string;
  text: string;
  visibility: 'PUBLIC' | 'INTERNAL';
  createdAt: string;
  author: { kind: string; id: string | null };
}

/** The notes orders-api shows the holder of `api`'s token, oldest first. */
async function notesOf(api: OrdersApi, orderId: string): Promise<Note[]> {
  const data = await api.request<{ order: { notes: Note[] } | null }>(
    'query ($id: ID!) { order(id: $id) { notes { id text visibility createdAt author { kind id } } } }',
    { id: orderId },
  );
  if (data.order === null) throw new Error(`order ${orderId} is not visible`);
  return data.order.notes;
}

/**
 * Opens the secured SPA with `token` in the tab's session (where src/lib/auth/access-token.ts
 * keeps it); the page is first loaded without it, so one page can change hands in a test.
 */
async function signIn(page: Page, webUrl: string, token: string): Promise<void> {
  await page.goto(`${webUrl}/orders/new`);
  await page.evaluate((value) => {
    sessionStorage.setItem('oms.accessToken', value);
  }, token);
}

/** How the app shows a time (lib/dates.ts) in the tests' locale and time zone. */
function shownTime(iso: string): string {
  return new Intl.DateTimeFormat('en-US', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: 'UTC',
  }).format(new Date(iso));
}

function noteItems(page: Page) {
  return page.getByRole('list', { name: 'Notes' }).getByRole('listitem');
}

test.describe('order notes (orders-api with per-customer access)', () => {
  test('an admin adds a public and an internal note; the customer sees only the public one and adds one', async ({
    page,
    secured,
    payments,
    saveScreenshot,
  }) => {
    const run = randomUUID().slice(0, 8);
    const alice = `alice-${run}`;
    const aliceToken = secured.token({ sub: alice });
    const adminToken = secured.token({ sub: `ops-${run}`, roles: ['admin'] });
    const admin = secured.apiAs(adminToken);
    // Held at the payments relay, so a transition can be made to happen later in the test.
    const order = await secured.apiAs(aliceToken).createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const publicText = `Please ring twice (${run})`;
    const internalText = `Customer called about the colour (${run})`;

    // The admin.
    await signIn(page, secured.webUrl, adminToken);
    await page.goto(`${secured.webUrl}/orders/${order.id}`);
    await expect(page.getByRole('heading', { level: 2, name: 'Notes' })).toBeVisible();
    await expect(page.getByText('No notes yet.')).toBeVisible();
    const note = page.getByLabel('Note', { exact: true });
    const visibleTo = page.getByRole('group', { name: 'Visible to' });
    await expect(visibleTo.getByRole('radio', { name: /public/ })).toBeChecked();
    await expect(page.getByText(`0 of 2,000 characters`)).toBeVisible();

    await note.fill(publicText);
    await expect(page.getByText(`${publicText.length} of 2,000 characters`)).toBeVisible();
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(noteItems(page)).toHaveCount(1);
    await expect(noteItems(page).nth(0)).toContainText(publicText);
    await expect(note).toHaveValue('');

    await visibleTo.getByRole('radio', { name: /internal/ }).check();
    await note.fill(internalText);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(noteItems(page)).toHaveCount(2);

    // Oldest first; the internal one says so in words; author and time (UTC) from the API.
    const stored = await notesOf(admin, order.id);
    expect(stored.map((n) => [n.text, n.visibility])).toEqual([
      [publicText, 'PUBLIC'],
      [internalText, 'INTERNAL'],
    ]);
    const [first, second] = [noteItems(page).nth(0), noteItems(page).nth(1)];
    await expect(first).toContainText(publicText);
    await expect(first).toContainText(`Admin ops-${run}`);
    await expect(first).toContainText(shownTime(stored[0]?.createdAt ?? ''));
    await expect(first.getByText('Internal', { exact: true })).toHaveCount(0);
    await expect(second).toContainText(internalText);
    await expect(second.getByText('Internal', { exact: true })).toBeVisible();
    await expect(second).toContainText(shownTime(stored[1]?.createdAt ?? ''));
    await saveScreenshot('notes-admin');

    // The customer: the public note only, no choice of visibility.
    await signIn(page, secured.webUrl, aliceToken);
    await page.goto(`${secured.webUrl}/orders/${order.id}`);
    await expect(page.getByRole('button', { name: `Signed in as ${alice}` })).toBeVisible();
    await expect(noteItems(page)).toHaveCount(1);
    await expect(noteItems(page).nth(0)).toContainText(publicText);
    await expect(page.getByText(internalText)).toHaveCount(0);
    await expect(page.getByRole('group', { name: 'Visible to' })).toHaveCount(0);

    const customerText = `Thanks! (${run})`;
    await page.getByLabel('Note', { exact: true }).fill(customerText);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(noteItems(page)).toHaveCount(2);
    await expect(noteItems(page).nth(1)).toContainText(customerText);
    await expect(noteItems(page).nth(1)).toContainText(`Customer ${alice}`);
    expect((await notesOf(admin, order.id)).map((n) => [n.text, n.visibility])).toEqual([
      [publicText, 'PUBLIC'],
      [internalText, 'INTERNAL'],
      [customerText, 'PUBLIC'],
    ]);

    // Readable on a phone: nothing wider than a 390 px screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(390);
    await saveScreenshot('notes-390px');
    // A note added elsewhere comes with the order's next live update, without a reload.
    await expect(liveUpdates(page)).toHaveText('Live');
    await markDocument(page);
    const fromElsewhere = `Shipped from the other warehouse (${run})`;
    await admin.request(
      'mutation ($id: ID!, $text: String!) { addOrderNote(orderId: $id, text: $text) { id } }',
      { id: order.id, text: fromElsewhere },
    );
    await payments.release(order.id);
    await expect(orderStatus(page)).toHaveText(/Confirmed|Delivered/, { timeout: LIVE_TIMEOUT });
    await expect(noteItems(page)).toHaveCount(3);
    await expect(noteItems(page).nth(2)).toContainText(fromElsewhere);
    await expect(page.getByText(internalText)).toHaveCount(0);
    await expectSameDocument(page);
    await saveScreenshot('notes-customer');
  });

  test("empty text shows the shared rule's message and nothing is sent", async ({
    page,
    secured,
    saveScreenshot,
  }) => {
    const run = randomUUID().slice(0, 8);
    const token = secured.token({ sub: `bob-${run}` });
    const order = await secured.apiAs(token).createOrder({ paymentToken: HELD_PAYMENT_TOKEN });
    const sent = recordOperationRequests(page, 'addOrderNote');

    await signIn(page, secured.webUrl, token);
    await page.goto(`${secured.webUrl}/orders/${order.id}`);
    const note = page.getByLabel('Note', { exact: true });
    await expect(note).toBeVisible();
    await note.fill('   ');
    await note.press('Tab');
    await page.keyboard.press('Enter');
    const message = page.getByText('Note must not be blank');
    await expect(message).toBeVisible();
    await expect(note).toHaveAttribute('aria-invalid', 'true');
    await expect(note).toHaveAccessibleDescription(/Note must not be blank/);
    await saveScreenshot('notes-empty');
    expect(sent).toHaveLength(0);

    // Fixing the text clears the message as it is typed, and the note goes.
    await note.fill('Now with words');
    await expect(message).toHaveCount(0);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(noteItems(page)).toHaveCount(1);
    expect(sent).toHaveLength(1);
  });
});
