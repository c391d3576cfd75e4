import type { Page } from '@playwright/test';
import { expect, LIVE_TIMEOUT, test } from './support/fixtures.js';
import { orderStatus, recordOperationRequests } from './support/pages.js';

/** How long a field's message may lag behind its aria-invalid. */
const MESSAGE_TIMEOUT = 2_000;

const ORDER_URL = /\/orders\/([0-9a-f-]{36})$/;

function item(page: Page, line: number) {
  return page.getByRole('group', { name: `Item ${line}` });
}

async function fillItem(
  page: Page,
  line: number,
  values: { sku: string; name: string; quantity: string; unitPrice: string },
): Promise<void> {
  const group = item(page, line);
  await group.getByLabel('SKU').fill(values.sku);
  await group.getByLabel('Name').fill(values.name);
  await group.getByLabel('Quantity').fill(values.quantity);
  await group.getByLabel('Unit price').fill(values.unitPrice);
}

/** The id in the address of the order page the form led to. */
function orderIdOf(page: Page): string {
  const id = ORDER_URL.exec(new URL(page.url()).pathname)?.[1];
  if (id === undefined) throw new Error(`not an order page: ${page.url()}`);
  return id;
}

test.describe('new order', () => {
  test('lines added and removed, typed prices, running total, currency; then the order live', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    await page.goto('/orders/new');
    await expect(page.getByRole('heading', { level: 1, name: 'New order' })).toBeVisible();
    await expect(page).toHaveTitle('New order · Orders');
    await expect(page.getByRole('group', { name: /^Item \d+$/ })).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Remove item 1' })).toBeDisabled();
    const total = page.getByRole('status', { name: 'Total' });

    await fillItem(page, 1, { sku: 'MUG-1', name: 'Mug', quantity: '2', unitPrice: '12.50' });
    await expect(total).toHaveText('$25.00');

    await page.getByRole('button', { name: 'Add item' }).click();
    await fillItem(page, 2, { sku: 'TEE-42', name: 'T-shirt', quantity: '1', unitPrice: '19.99' });
    await expect(total).toHaveText('$44.99');
    await page.getByRole('button', { name: 'Add item' }).click();
    await fillItem(page, 3, { sku: 'PEN-7', name: 'Pen', quantity: '3', unitPrice: '1' });
    await expect(total).toHaveText('$47.99');
    await expect(page.getByRole('button', { name: 'Remove item 1' })).toBeEnabled();

    await page.getByRole('button', { name: 'Remove item 2' }).click();
    await expect(page.getByRole('group', { name: /^Item \d+$/ })).toHaveCount(2);
    await expect(item(page, 2).getByLabel('SKU')).toHaveValue('PEN-7');
    await expect(total).toHaveText('$28.00');

    const currency = page.getByLabel('Currency');
    await expect(currency).toHaveValue('USD');
    await currency.selectOption('EUR');
    await expect(total).toHaveText('€28.00');

    const payment = page.getByLabel('Payment');
    await expect(payment.getByRole('option')).toHaveText([
      'Random outcome (mock)',
      'Always approve (tok_approve)',
      'Always decline (tok_decline)',
    ]);
    await payment.selectOption({ label: 'Always approve (tok_approve)' });
    await saveScreenshot('new-order-filled');

    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(page).toHaveURL(ORDER_URL);
    const id = orderIdOf(page);
    // The page is the order the form created: its heading has that order's number, per the API.
    const created = await api.order(id);
    if (created === null) throw new Error(`order ${id} was not created`);
    await expect(
      page.getByRole('heading', { level: 1, name: `Order #${created.number}` }),
    ).toBeVisible();
    await expect(page.getByRole('main')).toContainText(id);
    await expect(orderStatus(page)).toHaveText('Confirmed', { timeout: LIVE_TIMEOUT });
    await expect(page.getByRole('main')).toContainText('€28.00');
    await saveScreenshot('new-order-placed');

    expect(await api.order(id)).toMatchObject({
      currency: 'EUR',
      total: 2800,
      items: [
        { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250 },
        { sku: 'PEN-7', name: 'Pen', quantity: 3, unitPrice: 100 },
      ],
    });
  });

  test('a declined payment shows on the new order’s page', async ({ page, saveScreenshot }) => {
    await page.goto('/orders/new');
    await fillItem(page, 1, { sku: 'MUG-1', name: 'Mug', quantity: '1', unitPrice: '0.99' });
    await expect(page.getByRole('status', { name: 'Total' })).toHaveText('$0.99');
    await page.getByLabel('Payment').selectOption({ label: 'Always decline (tok_decline)' });
    await page.getByRole('button', { name: 'Place order' }).click();

    await expect(page).toHaveURL(ORDER_URL);
    await expect(orderStatus(page)).toHaveText('Cancelled', { timeout: LIVE_TIMEOUT });
    await expect(page.getByText('Cancellation reason: Payment declined')).toBeVisible();
    await saveScreenshot('new-order-declined');
  });

  test('a bad form is checked next to each field and nothing is sent', async ({
    page,
    saveScreenshot,
  }) => {
    const creates = recordOperationRequests(page, 'createOrder');
    await page.goto('/orders/new');
    const line = item(page, 1);
    const problems = page
      .getByRole('alert')
      .filter({ hasText: 'Please fix the highlighted fields.' });

    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(problems).toBeVisible();
    await expect(line.getByLabel('SKU')).toHaveAttribute('aria-invalid', 'true');
    // Soft, and short: the message is there once the field is invalid; one run reports every
    // message that differs from the contract, not just the first.
    await expect
      .soft(line.getByLabel('SKU'))
      .toHaveAccessibleDescription('SKU is required', { timeout: MESSAGE_TIMEOUT });
    await expect(line.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    await expect(line.getByLabel('Name')).toHaveAccessibleDescription(/required/);
    await expect(line.getByLabel('Unit price')).toHaveAttribute('aria-invalid', 'true');
    await expect(line.getByLabel('Unit price')).toHaveAccessibleDescription(/Unit price/);
    await saveScreenshot('new-order-empty-submitted');

    // After the first submit, fields are checked as they are typed in.
    await line.getByLabel('Quantity').fill('0');
    await expect(line.getByLabel('Quantity')).toHaveAttribute('aria-invalid', 'true');
    await expect
      .soft(line.getByLabel('Quantity'))
      .toHaveAccessibleDescription('Quantity must be between 1 and 10000', {
        timeout: MESSAGE_TIMEOUT,
      });
    await line.getByLabel('Unit price').fill('12,50.5');
    await expect
      .soft(line.getByLabel('Unit price'))
      .toHaveAccessibleDescription('Unit price must be an amount like 12.50', {
        timeout: MESSAGE_TIMEOUT,
      });
    await line.getByLabel('SKU').fill('MUG-1');
    await expect(line.getByLabel('SKU')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(line.getByLabel('SKU')).toHaveAccessibleDescription('');
    await saveScreenshot('new-order-invalid');

    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(problems).toBeVisible();
    await expect(page).toHaveURL(/\/orders\/new$/);
    expect(creates).toHaveLength(0);

    await line.getByLabel('Name').fill('Mug');
    await line.getByLabel('Quantity').fill('2');
    await line.getByLabel('Unit price').fill('12.50');
    await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(page).toHaveURL(ORDER_URL);
    expect(creates).toHaveLength(1);
  });

  test('a customer and a shipping address go with the order and show on its page', async ({
    page,
    api,
    saveScreenshot,
  }) => {
    await page.goto('/orders/new');
    await fillItem(page, 1, { sku: 'MUG-1', name: 'Mug', quantity: '1', unitPrice: '12.50' });
    const customer = page.getByRole('group', { name: 'Customer (optional)' });
    const address = page.getByRole('group', { name: 'Shipping address (optional)' });
    // Each box says its shared rule (CONTACT_LIMITS) before anything is typed.
    await expect(customer.getByLabel('Email')).toHaveAccessibleDescription(
      'Required, a valid email address of at most 254 characters',
    );
    await expect(address.getByLabel('Postal code')).toHaveAccessibleDescription(
      'Required, at most 20 characters',
    );
    await customer.getByLabel('Name').fill('Ada Lovelace');
    await customer.getByLabel('Email').fill('ada@example.com');
    await address.getByLabel('Address line 1').fill('Unter den Linden 1');
    await address.getByLabel('Address line 2').fill('3rd floor');
    await address.getByLabel('City').fill('Berlin');
    await address.getByLabel('Postal code').fill('10117');
    // Chosen by name (the browser's), sent as the code.
    await address.getByLabel('Country').selectOption({ label: 'Germany (DE)' });
    await saveScreenshot('new-order-contact');
    await page.getByRole('button', { name: 'Place order' }).click();

    await expect(page).toHaveURL(ORDER_URL);
    const id = orderIdOf(page);
    await expect(page.getByRole('main')).toContainText(id);
    const facts = page.getByRole('main');
    await expect(facts.getByRole('link', { name: 'ada@example.com' })).toBeVisible();
    await expect(facts).toContainText('Ada Lovelace');
    const shown = page.locator('address');
    await expect(shown).toContainText('Unter den Linden 1');
    await expect(shown).toContainText('3rd floor');
    await expect(shown).toContainText('10117 Berlin');
    await expect(shown).toContainText('Germany');
    await saveScreenshot('new-order-contact-placed');

    const stored = await api.request<{
      order: { customer: unknown; shippingAddress: unknown } | null;
    }>(
      'query ($id: ID!) { order(id: $id) { customer { name email } shippingAddress { line1 line2 city postalCode region country } } }',
      { id },
    );
    expect(stored.order).toEqual({
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
      shippingAddress: {
        line1: 'Unter den Linden 1',
        line2: '3rd floor',
        city: 'Berlin',
        postalCode: '10117',
        region: null,
        country: 'DE',
      },
    });
  });

  test("an invalid email shows the shared rule's message and nothing is sent", async ({
    page,
    saveScreenshot,
  }) => {
    const creates = recordOperationRequests(page, 'createOrder');
    await page.goto('/orders/new');
    await fillItem(page, 1, { sku: 'MUG-1', name: 'Mug', quantity: '1', unitPrice: '12.50' });
    const customer = page.getByRole('group', { name: 'Customer (optional)' });
    const address = page.getByRole('group', { name: 'Shipping address (optional)' });
    const email = customer.getByLabel('Email');
    await customer.getByLabel('Name').fill('Ada Lovelace');
    await email.fill('ada@example..com');
    // A group partly filled says which of its required boxes are missing.
    await address.getByLabel('City').fill('Berlin');
    await page.getByRole('button', { name: 'Place order' }).click();

    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toHaveAccessibleDescription(
      /^Email must be a valid email address Required, a valid email address/,
    );
    await expect(address).toHaveAccessibleDescription(
      /Shipping address is missing Address line 1, Postal code and Country/,
    );
    await expect(address.getByLabel('Country')).toHaveAccessibleDescription(/^Country is required/);
    // Readable on a phone: nothing wider than a 390 px screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(390);
    await saveScreenshot('new-order-invalid-email-390px');
    await saveScreenshot('new-order-invalid-email');
    await expect(page).toHaveURL(/\/orders\/new$/);
    expect(creates).toHaveLength(0);

    // Fixed, and the address group emptied again: it is not sent, and the order goes.
    await email.fill('ada@example.com');
    await expect(email).not.toHaveAttribute('aria-invalid', 'true');
    await address.getByLabel('City').fill('');
    await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(page).toHaveURL(ORDER_URL);
    expect(creates).toHaveLength(1);
    const sent = creates[0]?.postDataJSON() as { variables: { input: Record<string, unknown> } };
    expect(sent.variables.input.customer).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    expect('shippingAddress' in sent.variables.input).toBe(false);
    await expect(page.getByText('Ada Lovelace')).toBeVisible();
  });
});
