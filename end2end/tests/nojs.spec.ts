import { test, expect } from '@playwright/test';
import { signIn } from './helpers';
import { pagesFor, ROLES, PUBLIC_PAGES } from './pages';

// Runs in the `nojs` project (javaScriptEnabled: false): no script runs at all, inline or not, so
// each page must carry its data in the first HTML response and its forms must work as forms.

for (const role of ROLES) {
  test(`every page of a ${role.name} shows its data without JavaScript`, async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, role.email);
    for (const { path, data } of await pagesFor(page, role)) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(200);
      await expect(page.locator('main h1').first(), path).toBeVisible();
      await expect(page.locator('main'), `${path} waits for a script`).not.toContainText('Loading');
      await data(page);
    }
    // Forms work as forms: a filter (GET) and signing out (POST, then the login page).
    await page.goto('/invoices');
    await page.getByTestId('invoice-filters').getByLabel('Status').selectOption('paid');
    await page.getByTestId('invoice-filters').getByRole('button', { name: /Show|Filter|Apply/ }).click();
    await expect(page).toHaveURL(/status=paid/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
  });
}

test('the public pages work without JavaScript', async ({ page }) => {
  for (const path of PUBLIC_PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    await expect(page.locator('main h1').first()).toBeVisible();
  }
});
