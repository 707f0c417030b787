// Named to run before queries.spec.ts (specs run in file order on one database): it sees the
// demo invoices as seeded, before the queries spec credits the mis-billed one.
import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { signIn, USERS, waitForHydration } from './helpers';

// The demo data bills every invoice through the shadow-bill engine except one, mis-billed on
// purpose: INV-NGE-100234-202602 (Castlegate, February 2026), with 31 days of standing charge in a
// 28-day month and red-band kWh 12 % high at the cold store.
const MIS_BILLED = 'INV-NGE-100234-202602';

test('bill validation flags exactly the mis-billed invoice, with its two errors explained', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await page.goto('/bill-validation');
  await waitForHydration(page);
  const overview = page.getByTestId('validations');
  // 14 monthly invoices (a re-bill, if another test credited the mis-billed one, is checked too;
  // credit notes are not).
  const rows = overview.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const total = await rows.count();
  expect(total).toBeGreaterThanOrEqual(14);
  const flagged = overview.locator('tbody tr[data-verdict="query"]');
  await expect(flagged).toHaveCount(1);
  await expect(flagged).toContainText(MIS_BILLED);
  await expect(overview.locator('tbody tr[data-verdict="ok"]')).toHaveCount(total - 1);
  // Sorted by £ at stake by default: the flagged invoice comes first.
  await expect(overview.locator('tbody tr').first()).toContainText(MIS_BILLED);
  fs.mkdirSync('screenshots', { recursive: true });
  await page.screenshot({ path: 'screenshots/bill-validation.png', fullPage: true });

  // The invoice list carries the same verdict as a badge.
  await page.goto('/invoices');
  const badges = page.getByTestId('invoices').getByTestId('bill-check');
  // "Credited" once the queries spec has credited it (specs share one database), "Query" before.
  await expect(badges.filter({ hasText: /^(Query|Credited)$/ })).toHaveCount(1);
  const row = page.getByTestId('invoices').locator('tr').filter({ has: page.getByRole('link', { name: MIS_BILLED, exact: true }) });
  await expect(row.getByTestId('bill-check')).toHaveText(/^(Query|Credited)$/);
  await page.goto('/bill-validation');
  await flagged.getByRole('link', { name: MIS_BILLED }).click();
  await expect(page).toHaveURL(/\/invoices\?invoice=\d+#validation$/);
  const section = page.getByTestId('invoice-validation');
  await expect(section.getByTestId('verdict')).toHaveText('Query');
  const lines = section.getByTestId('validation-lines').locator('tbody tr.row--flagged');
  await expect(lines).toHaveCount(2);
  await expect(section).toContainText('Standing charge billed for 31 days; the period has 28.');
  await expect(section).toContainText(/Red-band energy billed on [\d,.]+ kWh; the half-hourly data gives [\d,.]+ kWh \(\+12\.0 %\)\./);
  await expect(section).toContainText('Checked against the half-hourly data at the best settlement run per day');
  await section.screenshot({ path: 'screenshots/invoice-validation.png' });
});

test('bill validation works without JavaScript and at phone width', async ({ browser }) => {
  // Signed in at desktop width (the phone menu needs JavaScript to open), then narrowed.
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  await signIn(page, USERS.customerUser, '/login?next=/bill-validation');
  await expect(page).toHaveURL(/\/bill-validation$/);
  await page.setViewportSize({ width: 390, height: 844 });
  // The restricted user's checks cover their two sites; the cold store is one of them.
  await expect(page.getByText('You see the sites you have access to')).toBeVisible();
  await expect(page.getByTestId('validations').locator('tbody tr[data-verdict="query"]')).toHaveCount(1);
  await page.getByRole('link', { name: 'Period' }).click();
  await expect(page).toHaveURL(/sort=period$/);
  await expect(page.getByTestId('validations').locator('tbody tr').first()).toContainText('INV-NGE-100234-202610');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390 + 1);
  await context.close();
});
