import { test, expect, Page } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';

/** A UK date a few days before today (not a clock-change Sunday), as YYYY-MM-DD: inside the
 *  alerts' look-back whenever the suite runs. */
function recentDay(): string {
  const d = new Date(Date.now() - 2 * 86_400_000);
  const lastSundayOfChangeMonth = d.getUTCDay() === 0 && [2, 9].includes(d.getUTCMonth()) && d.getUTCDate() >= 25;
  if (lastSundayOfChangeMonth) d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** One settlement day of import for `mpan`: 40 kWh a half-hour, and `peak` kWh in period 36. */
function breachCsv(mpan: string, day: string, peak: number): string {
  const lines = ['mpan_core,channel,settlement_date,settlement_period,value,status,run'];
  for (let p = 1; p <= 48; p++) lines.push(`${mpan},AI,${day},${p},${p === 36 ? peak : 40}.000,A,II`);
  return lines.join('\n') + '\n';
}

async function mpanOf(page: Page, site: string): Promise<string> {
  await page.goto('/sites');
  await page.getByRole('link', { name: new RegExp(site) }).click();
  const core = page.locator('.mpan__core').first();
  await expect(core).toHaveText(/^\d{13}$/);
  return (await core.textContent())!.trim();
}

test('an upload that breaches capacity raises an alert the customer sees, acknowledges and can have by e-mail', async ({ page, context }) => {
  test.setTimeout(120_000);
  const day = recentDay();
  // The account manager loads a day for Castlegate House (250 kVA agreed) with 180 kWh in one
  // half-hour: 360 kW, 360 kVA.
  await signIn(page, USERS.accountManager);
  const mpan = await mpanOf(page, 'Castlegate House');
  await page.goto('/admin/imports');
  await waitForHydration(page);
  const form = page.getByTestId('upload-form');
  await form.getByLabel('CSV files').setInputFiles({ name: `house-${day}.csv`, mimeType: 'text/csv', buffer: Buffer.from(breachCsv(mpan, day, 180)) });
  await form.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByTestId('upload-status')).toHaveText('Done: 1 file(s) processed.');
  await expect(page.getByTestId('upload-results').getByTestId('import-result')).toContainText('Imported');
  await context.clearCookies();

  // The customer admin sees it under Alerts, with what was measured and where to look.
  await signIn(page, USERS.customerAdmin);
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Alerts' }).click();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
  await expect(page.getByTestId('alerts-summary')).toContainText('capacity breach');
  const row = page.getByTestId('alerts').locator('tbody tr[data-rule="capacity"]', { hasText: 'Castlegate House' }).first();
  await expect(row).toContainText('Peak 360 kVA at 17:30 (period 36), above the agreed 250 kVA (+44 %)');
  await expect(row.getByRole('link', { name: 'Look into it' })).toHaveAttribute('href', new RegExp(`from=${day}&to=${day}&unit=kva$`));
  await page.screenshot({ path: 'screenshots/alerts.png', fullPage: true });

  // Acknowledging it (a plain form: the page comes back with a message) moves it out of the open list.
  const before = await page.getByTestId('alerts').locator('tbody tr').count();
  await row.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByTestId('flash')).toContainText('Alert acknowledged.');
  await expect(page.getByTestId('alerts').locator('tbody tr')).toHaveCount(before - 1);
  await page.getByLabel('Show').selectOption('acknowledged');
  await page.getByLabel('Kind').selectOption('capacity');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page).toHaveURL(/status=acknowledged&rule=capacity/);
  await expect(page.getByTestId('alerts').locator('tbody tr', { hasText: 'Castlegate House' }).first()).toContainText('Acknowledged by');

  // The daily e-mail: ticking capacity breaches is kept.
  const digest = page.locator('.digest-form');
  await digest.getByLabel(/Capacity breach/).check();
  await digest.getByRole('button', { name: 'Save e-mail choices' }).click();
  await expect(page.getByTestId('flash')).toContainText('daily e-mail');
  await expect(page.locator('.digest-form').getByLabel(/Capacity breach/)).toBeChecked();
  await expect(page.locator('.digest-form').getByLabel(/Data gap/)).not.toBeChecked();
});

test('alerts work without JavaScript and at phone width', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, USERS.customerAdmin);
  await page.goto('/alerts?status=all');
  await expect(page.getByTestId('alerts')).toBeVisible();
  // The demo's office comms gap (10–16 Nov) is one line, not seven.
  await expect(page.getByTestId('alerts').locator('tbody tr[data-rule="data_gap"]', { hasText: 'Castlegate House' }).first()).toContainText(
    'Tue 10 Nov 2026 to Mon 16 Nov 2026 (7 days)',
  );
  await page.screenshot({ path: 'screenshots/alerts-phone.png', fullPage: true });
  await context.close();
});
