import { test, expect } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';

// A phone's width (after signing in, whose check looks for the desktop user menu), and no
// JavaScript: the filters are a plain GET form and the downloads plain links.
const PHONE = { width: 390, height: 844 };

test.describe('invoices and contracts on a phone without JavaScript', () => {
  test('a limited user filters invoices, sees their sites labelled, and downloads CSV and PDF', async ({ page }) => {
    await page.route('**/pkg/*.js', (route) => route.abort());
    await signIn(page, USERS.customerUser, '/login?next=/invoices');
    await page.setViewportSize(PHONE);
    await expect(page).toHaveURL(/\/invoices$/);
    await expect(page.getByTestId('limited-note')).toBeVisible();
    await expect(page.locator('[data-testid=invoices] thead')).toContainText('Account total (all sites)');
    await expect(page.locator('[data-testid=invoices] thead')).toContainText("Your sites' subtotal");

    await page.getByLabel('Status').selectOption('paid');
    await page.getByLabel('Period from').fill('2026-01-01');
    await page.getByLabel('Period to').fill('2026-03-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/status=paid&from=2026-01-01&to=2026-03-31/);
    const rows = page.locator('[data-testid=invoices] tbody tr');
    // January to March 2026 were paid (one may since have been queried by another spec).
    await expect(rows.first()).toContainText('paid');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    expect(await rows.count()).toBeLessThanOrEqual(3);

    const csvHref = await page.getByRole('link', { name: 'Lines (CSV)' }).getAttribute('href');
    expect(csvHref).toBe('/invoices/lines.csv?status=paid&from=2026-01-01&to=2026-03-31');
    const csv = await page.request.get(csvHref!);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text.split('\n')[0]).toContain('invoice_number,account_number');
    expect(text).toContain('Felixstowe Cold Store');
    expect(text).not.toContain('Castlegate House');

    await rows.first().getByRole('link', { name: /^INV-/ }).click();
    const detail = page.getByTestId('invoice-detail');
    await expect(detail).toContainText("Your sites' subtotal (net)");
    await expect(detail).toContainText('Account total (all sites)');
    const pdfHref = await page.getByTestId('invoice-pdf').getAttribute('href');
    const pdf = await page.request.get(pdfHref!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: 'screenshots/invoices-390.png', fullPage: true });
  });

  test('the contracts page flags the volume above tolerance and shows demand and renewal', async ({ page }) => {
    await page.route('**/pkg/*.js', (route) => route.abort());
    await signIn(page, USERS.customerAdmin, '/login?next=/contracts');
    await page.setViewportSize(PHONE);
    const castlegate = page.getByTestId('contract').first();
    await expect(castlegate.getByTestId('volume-verdict')).toContainText('Above tolerance');
    await expect(castlegate.getByTestId('renewal')).toContainText('days left');
    await expect(castlegate.getByTestId('max-demand').locator('tbody tr')).toHaveCount(7);
    await page.screenshot({ path: 'screenshots/contracts-390.png', fullPage: true });
  });

  test("a limited user's contract volume is their sites', not set against the whole contract", async ({ page }) => {
    await page.route('**/pkg/*.js', (route) => route.abort());
    await signIn(page, USERS.customerUser, '/login?next=/contracts');
    await page.setViewportSize(PHONE);
    const contract = page.getByTestId('contract').first();
    await expect(contract.getByTestId('contract-volume')).toContainText('your sites only');
    await expect(contract.getByTestId('volume-verdict')).toHaveCount(0);
    await expect(contract.getByTestId('max-demand').locator('tbody tr')).toHaveCount(3);
  });
});

test('a bad filter explains itself, and the form still works once hydrated', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const res = await page.goto('/invoices?from=31/01/2026');
  expect(res?.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('Period from must be a date written like 2026-01-31');
  await page.goto('/invoices');
  await waitForHydration(page);
  await page.getByLabel('Status').selectOption('overdue');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=overdue/);
});
