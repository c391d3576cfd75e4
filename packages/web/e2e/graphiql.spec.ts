import { expect, test } from './support/fixtures.js';

test.describe('GraphQL IDE', () => {
  test('runs a query against orders-api', async ({ page, api, saveScreenshot }) => {
    // The IDE is a lazily loaded chunk of several megabytes (Monaco and its workers): on a
    // loaded machine fetching, parsing and mounting it takes longer than a page of the app.
    test.slow();
    const order = await api.createOrder({ paymentToken: 'tok_decline' });
    await api.waitForStatus(order.id, 'CANCELLED');

    await page.goto('/graphiql');
    await expect(page).toHaveTitle('GraphQL IDE · Orders', { timeout: 30_000 });
    const run = page.getByRole('button', { name: 'Execute query' });
    await expect(run).toBeVisible({ timeout: 30_000 });
    const editor = page.locator('.graphiql-query-editor');
    await expect(editor).toBeVisible();

    // Monaco mounts after the editor's frame is visible; the default query's tab shows once it
    // has, and keystrokes sent before then go nowhere.
    const operations = page.getByRole('tablist', { name: 'Select active operation' });
    await expect(operations.getByRole('tab', { name: 'RecentOrders' })).toBeVisible({
      timeout: 30_000,
    });
    // Replaces the default query; inserted, not typed, so the editor's auto-closing of
    // brackets and quotes does not double them. The IDE reads the editor shortly after each
    // change; its tab takes the operation's name once it has, and only then does "Execute
    // query" run this operation. Replacing is idempotent, so a replacement the editor missed
    // (focus still moving on a loaded machine) is simply made again.
    await expect(async () => {
      await editor.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(
        `query OrderById { order(id: "${order.id}") { id status total cancellationReason } }`,
      );
      await expect(operations.getByRole('tab', { name: 'OrderById' })).toBeVisible({
        timeout: 3_000,
      });
    }).toPass({ timeout: 30_000 });
    await run.click();

    const response = page.locator('.graphiql-response');
    await expect(response).toContainText(`"id": "${order.id}"`);
    await expect(response).toContainText('"status": "CANCELLED"');
    await expect(response).toContainText('"cancellationReason": "PAYMENT_DECLINED"');
    await saveScreenshot('graphiql-query');
  });

  test("a browser opening orders-api's /graphql is sent to the IDE", async ({
    page,
    api,
    baseURL,
  }) => {
    test.slow(); // the IDE's chunk, twice (see above)
    // Directly, and through the SPA's own origin (which proxies /graphql).
    for (const url of [`${api.baseUrl}/graphql`, '/graphql']) {
      await page.goto(url);
      await expect(page).toHaveURL(`${baseURL ?? ''}/graphiql`);
      await expect(page.getByRole('button', { name: 'Execute query' })).toBeVisible({
        timeout: 30_000,
      });
    }
  });
});
