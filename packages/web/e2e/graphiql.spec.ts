import { expect, test } from './support/fixtures.js';

test.describe('GraphQL IDE', () => {
  test('runs a query against orders-api', async ({ page, api, saveScreenshot }) => {
    const order = await api.createOrder({ paymentToken: 'tok_decline' });
    await api.waitForStatus(order.id, 'CANCELLED');

    await page.goto('/graphiql');
    await expect(page).toHaveTitle('GraphQL IDE · Orders');
    const run = page.getByRole('button', { name: 'Execute query' });
    await expect(run).toBeVisible();
    const editor = page.locator('.graphiql-query-editor');
    await expect(editor).toBeVisible();

    // Replaces the default query; inserted, not typed, so the editor's auto-closing of
    // brackets and quotes does not double them.
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(
      `query OrderById { order(id: "${order.id}") { id status total cancellationReason } }`,
    );
    // The IDE reads the editor shortly after each change; its tab takes the operation's name
    // once it has, and only then does "Execute query" run this operation.
    await expect(
      page
        .getByRole('tablist', { name: 'Select active operation' })
        .getByRole('tab', { name: 'OrderById' }),
    ).toBeVisible();
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
    // Directly, and through the SPA's own origin (which proxies /graphql).
    for (const url of [`${api.baseUrl}/graphql`, '/graphql']) {
      await page.goto(url);
      await expect(page).toHaveURL(`${baseURL ?? ''}/graphiql`);
      await expect(page.getByRole('button', { name: 'Execute query' })).toBeVisible();
    }
  });
});
