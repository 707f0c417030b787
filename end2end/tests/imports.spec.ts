import { test, expect, Page } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';

// A settlement day the demo data does not hold (it starts in 2025), so every import is new.
const DAY = '2024-06-12';

/** One whole settlement day (48 periods, BST) of active import for `mpan`, as the import format. */
function dayCsv(mpan: string, kwh = (p: number) => (p * 0.75).toFixed(3), day = DAY): string {
  const lines = ['mpan_core,channel,settlement_date,settlement_period,value,status,run'];
  for (let p = 1; p <= 48; p++) lines.push(`${mpan},AI,${day},${p},${kwh(p)},A,DF`);
  return lines.join('\n') + '\n';
}

/** The first MPAN of Castlegate's Leicester Works, as the sites page shows it. */
async function firstMpan(page: Page): Promise<string> {
  await page.goto('/sites');
  await page.getByRole('link', { name: /Leicester Works/ }).click();
  await expect(page).toHaveURL(/\/sites\?site=\d+$/);
  const core = page.locator('.mpan__core').first();
  await expect(core).toHaveText(/^\d{13}$/);
  return (await core.textContent())!.trim();
}

test('an account manager uploads a good file and a bad one: the progress bar reaches done, then the summary and the line errors', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, USERS.accountManager);
  const mpan = await firstMpan(page);
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Imports' }).click();
  await expect(page).toHaveURL(/\/admin\/imports$/);
  await expect(page.getByRole('heading', { name: 'Imports', level: 1 })).toBeVisible();
  await waitForHydration(page);

  const form = page.getByTestId('upload-form');
  const good = `castlegate-${DAY}.csv`;
  await form.getByLabel('CSV files').setInputFiles({ name: good, mimeType: 'text/csv', buffer: Buffer.from(dayCsv(mpan)) });
  await form.getByRole('button', { name: 'Upload and import' }).click();
  const progress = page.getByTestId('upload-progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('upload-status')).toHaveText('Done: 1 file(s) processed.');
  expect(await progress.locator('progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
  const result = page.getByTestId('upload-results').getByTestId('import-result');
  await expect(result).toContainText('Imported');
  await expect(result.getByTestId('import-report')).toHaveText(
    `${good}: 48 rows, 48 values, 1 supply point(s), ${DAY} to ${DAY}, runs DF; 1 new day-rows, 0 already present`,
  );
  await page.locator('section.card', { has: form }).screenshot({ path: 'screenshots/imports-done.png' });

  // A bad file: an unknown MPAN, a value that is not a number, and the day left incomplete.
  const bad = dayCsv(mpan, (p) => (p === 7 ? 'lots' : (p * 0.5).toFixed(3)))
    .replace(`${mpan},AI,${DAY},1,`, `1012345678903,AI,${DAY},1,`);
  await form.getByLabel('CSV files').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await form.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByTestId('upload-status')).toHaveText('Done: 1 file(s) processed.');
  const rejected = page.getByTestId('upload-results').getByTestId('import-result');
  await expect(rejected).toContainText('Rejected, nothing imported');
  const report = rejected.getByTestId('import-report');
  await expect(report).toContainText('bad.csv: rejected, nothing imported: 3 bad line(s)');
  await expect(report).toContainText('line 2: unknown MPAN 1012345678903: not a supply point in the portal');
  await expect(report).toContainText('line 8: value "lots" is not a number');
  await expect(report).toContainText(`incomplete day: ${DAY} channel AI run DF has 46 of 48 periods (missing 1,7)`);

  // The history, newest first: who, file, customer, rows, outcome and errors.
  await page.goto('/admin/imports');
  const history = page.getByTestId('import-history').locator('tbody tr');
  await expect(history.nth(0)).toContainText('bad.csv');
  await expect(history.nth(0)).toContainText('Rejected, nothing imported');
  await expect(history.nth(0).locator('td').last()).toHaveText('3');
  await expect(history.nth(1)).toContainText(good);
  await expect(history.nth(1)).toContainText('Castlegate Group Ltd');
  await expect(history.nth(1)).toContainText(USERS.accountManager);
  // A file's name opens its report, with the history below.
  await history.nth(0).getByRole('link', { name: 'bad.csv' }).click();
  await expect(page).toHaveURL(/\/admin\/imports\?entry=\d+$/);
  await expect(page.getByTestId('import-results').getByTestId('import-report')).toContainText('line 8: value "lots" is not a number');
  await page.screenshot({ path: 'screenshots/imports-line-errors.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'screenshots/imports-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1360, height: 900 });
  // Uploading the good file again changes nothing, and says so.
  await waitForHydration(page);
  await form.getByLabel('CSV files').setInputFiles({ name: good, mimeType: 'text/csv', buffer: Buffer.from(dayCsv(mpan)) });
  await form.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByTestId('upload-results')).toContainText('Already held, nothing changed');
});

test('a large file shows the import progressing through it before Done', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, USERS.ops);
  const mpan = await firstMpan(page);
  // 2021-2023, years the demo data does not hold: four channels of 52,560 half-hours, about 11 MB,
  // which the importer reads in 1 MiB pieces.
  const lines = ['mpan_core,channel,interval_start,value,status,run'];
  for (const channel of ['AI', 'AE', 'RI', 'RE']) {
    for (let t = Date.UTC(2021, 0, 1); t < Date.UTC(2024, 0, 1); t += 30 * 60 * 1000) {
      lines.push(`${mpan},${channel},${new Date(t).toISOString().replace('.000Z', 'Z')},1.250,A,SF`);
    }
  }
  await page.goto('/admin/imports');
  await waitForHydration(page);
  // Every label the status line shows, in order.
  await page.evaluate(() => {
    const seen: string[] = ((window as any).__statuses = []);
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=upload-status]')?.textContent ?? '';
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const form = page.getByTestId('upload-form');
  await form.getByLabel('CSV files').setInputFiles({ name: 'years.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await form.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByTestId('upload-status')).toHaveText('Done: 1 file(s) processed.', { timeout: 150_000 });
  const statuses: string[] = await page.evaluate(() => (window as any).__statuses);
  expect(statuses.some((s) => /^Uploading: .* of 1\d\.\d MB \(\d+ %\)$/.test(s))).toBe(true);
  const percents = statuses
    .map((s) => /^Importing file 1 of 1, years\.csv: (\d+) % read$/.exec(s))
    .filter((m) => m !== null)
    .map((m) => Number(m![1]));
  expect(percents.some((p) => p > 0 && p < 100), `statuses: ${statuses.join(' | ')}`).toBe(true);
  await expect(page.getByTestId('upload-results').getByTestId('import-report')).toContainText(
    'years.csv: 210240 rows, 210240 values, 1 supply point(s), 2021-01-01 to 2023-12-31, runs SF; 4380 new day-rows',
  );
});

test('without JavaScript the form uploads and ends on the results page', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  // Straight to a page rendered whole on the server (the dashboard streams, which needs scripts).
  await signIn(page, USERS.ops, '/login?next=%2Fadmin%2Fimports');
  const mpan = await firstMpan(page);
  await page.goto('/admin/imports');
  const form = page.getByTestId('upload-form');
  const csv = dayCsv(mpan, (p) => (p * 0.25).toFixed(3), '2024-06-13');
  await form.getByLabel('CSV files').setInputFiles({ name: 'no-js.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await form.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page).toHaveURL(/\/admin\/imports\?entry=\d+$/);
  const result = page.getByTestId('import-results').getByTestId('import-result');
  await expect(result).toContainText('no-js.csv');
  await expect(result).toContainText('Imported');
  await expect(result.getByTestId('import-report')).toHaveText(
    'no-js.csv: 48 rows, 48 values, 1 supply point(s), 2024-06-13 to 2024-06-13, runs DF; 1 new day-rows, 0 already present',
  );
  await context.close();
});

test('customers have no Imports page', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await expect(page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Imports' })).toHaveCount(0);
  const res = await page.goto('/admin/imports');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('alert')).toHaveText('You do not have access to this.');
  await expect(page.getByTestId('upload-form')).toHaveCount(0);
});
