import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './support/fixtures.js';

/** A webhook receiver on loopback in the test process: records bodies, answers `status`. */
async function startReceiver() {
  const received: { id: string; orderId: string; version: number }[] = [];
  const state = { status: 500 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { orderId: string; version: number };
      };
      if (state.status === 200) {
        received.push({
          id: String(req.headers['webhook-id']),
          orderId: body.data.orderId,
          version: body.data.version,
        });
      }
      res.writeHead(state.status).end(state.status === 200 ? 'ok' : 'receiver down for a test');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/hooks`,
    received,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

test.describe('webhooks', () => {
  test('add an endpoint by keyboard, copy its secret once, watch deliveries fail then go, redeliver', async ({
    page,
    context,
    api,
    saveScreenshot,
  }) => {
    const receiver = await startReceiver();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    try {
      await page.goto('/orders');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Webhooks' })
        .click();
      await expect(page).toHaveURL(/\/webhooks$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
      await expect(page).toHaveTitle('Webhooks · Orders');

      // A refused URL is named next to its field.
      const url = page.getByRole('textbox', { name: 'Endpoint URL' });
      await url.focus();
      await page.keyboard.type('ftp://example.com/hooks');
      await page.keyboard.press('Enter');
      await expect(page.getByText('URL must be an http(s) URL')).toBeVisible();
      await expect(url).toHaveAttribute('aria-invalid', 'true');

      await url.fill('');
      await url.focus();
      await page.keyboard.type(receiver.url);
      await page.keyboard.press('Tab');
      await page.keyboard.type('e2e receiver');
      await page.keyboard.press('Enter');

      const added = page.getByRole('status').filter({ hasText: 'Endpoint added' });
      await expect(added).toBeVisible();
      const secretField = added.getByRole('textbox', { name: 'Signing secret' });
      const secret = await secretField.inputValue();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      await saveScreenshot('webhook-secret-once');
      await added.getByRole('button', { name: 'Copy secret' }).click();
      await expect(added.getByText('Copied.')).toBeVisible();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      await added.getByRole('button', { name: 'Done' }).click();
      await expect(added).toBeHidden();
      await page.reload();
      await expect(page.getByText(secret)).toHaveCount(0);
      expect(await page.content()).not.toContain(secret);

      const section = page.getByRole('region', { name: receiver.url });
      await expect(section).toBeVisible();
      await expect(section.getByText('Healthy')).toBeVisible();

      // The receiver is down: the first event is tried, and its error shown.
      const order = await api.createOrder({ paymentToken: 'tok_approve' });
      const row = section.getByRole('row').filter({ hasText: order.id });
      await expect(section.getByText('Failing')).toBeVisible({ timeout: 15_000 });
      // Newest first: the last row is the order's first event, the one being tried (its later
      // events wait behind it, PENDING with no attempt).
      await expect(row.last()).toContainText('HTTP 500: receiver down for a test');
      await expect(row.last()).toContainText('Pending');
      await saveScreenshot('webhook-failing');

      // Back: everything the order went through arrives, in order.
      receiver.state.status = 200;
      const final = await api.waitForStatus(order.id, 'DELIVERED', 20_000);
      await expect
        .poll(() => receiver.received.filter((r) => r.orderId === order.id).map((r) => r.version), {
          timeout: 20_000,
        })
        .toEqual(final.history.map((_, i) => i + 1));
      await expect(section.getByText('Healthy')).toBeVisible({ timeout: 10_000 });
      await expect(row).toHaveCount(final.history.length);
      for (let i = 0; i < final.history.length; i++) {
        await expect(row.nth(i)).toContainText('Delivered');
      }
      await saveScreenshot('webhook-delivered');

      // Redeliver everything after the order's first event: the later ones come again.
      const before = receiver.received.length;
      const oldest = row.last();
      await oldest.getByRole('button', { name: /Redeliver every event after this one/ }).focus();
      await page.keyboard.press('Enter');
      await expect(section.getByRole('status')).toHaveText(/events? queued again\./);
      const queued = Number(
        /^(\d+)/.exec((await section.getByRole('status').textContent()) ?? '')?.[1],
      );
      expect(queued).toBeGreaterThanOrEqual(final.history.length - 1);
      await expect
        .poll(() => receiver.received.length - before, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(queued);
      const again = receiver.received.slice(before).filter((r) => r.orderId === order.id);
      expect(again.map((r) => r.version)).toEqual(final.history.slice(1).map((_, i) => i + 2));
    } finally {
      const endpoints = await api.request<{ webhookEndpoints: { id: string }[] }>(
        'query { webhookEndpoints { id } }',
      );
      for (const { id } of endpoints.webhookEndpoints) {
        await api.request('mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id });
      }
      await receiver.close();
    }
  });
});
