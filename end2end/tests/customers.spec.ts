import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { signIn, USERS } from './helpers';

test('an account manager sees their customers, opens one as the customer sees it, and comes back', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, USERS.accountManager);
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Customers' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole('heading', { name: 'Your customers', level: 1 })).toBeVisible();
  const table = page.getByTestId('customers');
  // Only the customer assigned to this account manager.
  await expect(table.locator('tbody tr')).toHaveCount(1);
  const row = table.locator('tbody tr').first();
  await expect(row).toContainText('Castlegate Group Ltd');
  await expect(row).toContainText(/kWh to \d+ \w+/);
  await expect(page.getByTestId('customers-as-of')).toContainText('Figures for');
  fs.mkdirSync('screenshots', { recursive: true });
  await page.screenshot({ path: 'screenshots/customers.png', fullPage: true });

  // Sorting is a link: the order and the column's state are in the URL.
  await table.getByRole('link', { name: /^Overdue/ }).click();
  await expect(page).toHaveURL(/\/customers\?sort=overdue&dir=desc$/);
  await expect(page.getByTestId('customers').locator('th[aria-sort="descending"]')).toContainText('Overdue');

  // The customer's name opens their portal as they see it, read-only, with the banner.
  await page.getByTestId('customers').getByRole('button', { name: 'Castlegate Group Ltd' }).click();
  await expect(page).toHaveURL(/\/$/);
  const banner = page.getByTestId('view-as-banner');
  await expect(banner).toContainText("You are viewing Castlegate Group Ltd's portal as they see it.");
  const nav = page.getByRole('navigation', { name: 'Primary' });
  await expect(nav.getByRole('link', { name: 'Customers' })).toHaveCount(0);
  await expect(page.getByTestId('user-menu')).toContainText('Castlegate Group Ltd');
  await nav.getByRole('link', { name: 'Sites' }).click();
  await expect(page.locator('.site-item')).toHaveCount(6);
  await expect(banner).toBeVisible();
  await page.screenshot({ path: 'screenshots/view-as-customer.png' });

  // A change is refused by the server even if a form is sent.
  const refused = await page.evaluate(async () => {
    const r = await fetch('/api/queries/raise', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'invoice_id=1&message=test',
    });
    return { status: r.status, text: await r.text() };
  });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('Nothing can be changed here');

  // Back to the account manager's own portal.
  await banner.getByRole('button', { name: 'Back to my customers' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByTestId('view-as-banner')).toHaveCount(0);
  await expect(page.getByTestId('customers').locator('tbody tr')).toHaveCount(1);
});

test('a figure opens the matching page of the customer, and operations assign account managers', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, USERS.ops);
  await page.goto('/customers');
  const table = page.getByTestId('customers');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  const castlegate = table.locator('tbody tr', { hasText: 'Castlegate Group Ltd' });
  await expect(castlegate.getByRole('combobox')).toHaveValue(/\d+/);
  const riverside = table.locator('tbody tr', { hasText: 'Riverside Leisure Ltd' });
  await expect(riverside.getByRole('combobox')).toHaveValue('');
  // Assign the account manager to Riverside: the page comes back with the choice saved.
  await riverside.getByRole('combobox').selectOption({ label: 'James Whitfield' });
  await riverside.getByRole('button', { name: 'Assign' }).click();
  await expect(page.getByTestId('customers').locator('tbody tr', { hasText: 'Riverside Leisure Ltd' }).getByRole('combobox'))
    .not.toHaveValue('');
  // And back, so the other tests see the demo's assignments.
  const again = page.getByTestId('customers').locator('tbody tr', { hasText: 'Riverside Leisure Ltd' });
  await again.getByRole('combobox').selectOption({ label: 'No account manager' });
  await again.getByRole('button', { name: 'Assign' }).click();
  await expect(page.getByTestId('customers').locator('tbody tr', { hasText: 'Riverside Leisure Ltd' }).getByRole('combobox'))
    .toHaveValue('');

  // The renewal figure opens the customer's contracts.
  await page.getByTestId('customers').locator('tbody tr', { hasText: 'Castlegate Group Ltd' }).locator('td').last().getByRole('button').click();
  await expect(page).toHaveURL(/\/contracts$/);
  await expect(page.getByTestId('view-as-banner')).toContainText('Castlegate Group Ltd');
  await page.getByTestId('view-as-banner').getByRole('button', { name: 'Back to my customers' }).click();
  await expect(page).toHaveURL(/\/customers$/);
});

test('customers cannot open the account managers\' page', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const res = await page.goto('/customers');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Customers' })).toHaveCount(0);
});
