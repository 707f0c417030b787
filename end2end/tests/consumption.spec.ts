import { test, expect, Page } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';

// The demo data (server/src/seed/hh.rs): 1 Sep 2025 – 23 Nov 2026, as of 28 Nov 2026; Castlegate
// House (office, 250 kVA) has a comms gap 10–16 Nov 2026; Avonmouth Solar Depot exports.

/** The id of the supply point whose checkbox label matches `site`. */
async function pointId(page: Page, site: RegExp): Promise<string> {
  const box = page.getByTestId('consumption-form').getByLabel(site);
  return (await box.getAttribute('value')) ?? '';
}

async function ids(page: Page) {
  await page.goto('/consumption');
  return {
    office: await pointId(page, /Castlegate House/),
    solar: await pointId(page, /Avonmouth Solar Depot/),
  };
}

test('hovering the chart shows the half-hour, its settlement period, value, status and run (P1–P50 on the autumn clock change)', async ({
  page,
}) => {
  await signIn(page, USERS.customerAdmin);
  const { office } = await ids(page);
  await page.goto(`/consumption?sp=${office}&from=2026-10-25&to=2026-10-25&unit=kwh&run=best`);
  await waitForHydration(page);
  const hits = page.getByTestId('consumption-chart').locator('.hit');
  await expect(hits).toHaveCount(50);
  const tip = page.getByTestId('chart-tooltip');
  await expect(tip).toBeHidden();

  // Period 5 is the second 01:00 (GMT) of the day.
  await hits.nth(4).hover();
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('Sun 25 Oct 2026 01:00 GMT');
  await expect(tip).toContainText('period 5 of 50');
  await expect(tip).toContainText(/Castlegate House · \d+: \d+(\.\d)? kWh · (actual|estimated) · run SF/);
  await hits.nth(2).hover();
  await expect(tip).toContainText('Sun 25 Oct 2026 01:00 BST');
  await expect(tip).toContainText('period 3 of 50');
  await hits.nth(49).hover();
  await expect(tip).toContainText('period 50 of 50');

  // Keyboard: focusing a half-hour shows it too.
  await hits.nth(10).focus();
  await expect(tip).toContainText('period 11 of 50');
  await expect(page.getByTestId('runs-seen')).toContainText('Runs shown: SF');
});

test('the date inputs choose any range, and days without data are gaps, not skipped', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const { office } = await ids(page);
  await page.goto(`/consumption?sp=${office}&range=30d&run=best`);
  await waitForHydration(page);
  const form = page.getByTestId('consumption-form');
  await form.getByLabel('From', { exact: true }).fill('2026-11-01');
  await form.getByLabel('To', { exact: true }).fill('2026-11-23');
  await form.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/from=2026-11-01&to=2026-11-23/);
  await expect(page.getByTestId('consumption-caption')).toContainText('1 Nov 2026 – 23 Nov 2026 · daily');
  await waitForHydration(page);
  const hits = page.getByTestId('consumption-chart').locator('.hit');
  await expect(hits).toHaveCount(23);
  // 10 November is in the comms gap: there, shaded, and missing.
  await hits.nth(9).hover();
  const tip = page.getByTestId('chart-tooltip');
  await expect(tip).toContainText('Tue 10 Nov 2026');
  await expect(tip).toContainText('no value · missing · run no data');
});

test('kW and kVA show the agreed capacity line; a run with no data says so', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const { office } = await ids(page);
  await page.goto(`/consumption?sp=${office}&from=2026-10-01&to=2026-10-31&unit=kwh&run=best`);
  await waitForHydration(page);
  const chart = page.getByTestId('consumption-chart');
  await expect(chart.locator('.capacity-line')).toHaveCount(0);

  await page.getByRole('group', { name: 'Unit' }).getByRole('link', { name: 'kW', exact: true }).click();
  await expect(page).toHaveURL(/unit=kw&/);
  await expect(chart.locator('.capacity-line')).toHaveAttribute('data-capacity', '250');
  await expect(chart).toContainText('Agreed capacity 250 kVA');
  await chart.locator('.hit').nth(5).hover();
  await expect(page.getByTestId('chart-tooltip')).toContainText(/\d kW · /);

  await page.getByRole('group', { name: 'Unit' }).getByRole('link', { name: 'kVA', exact: true }).click();
  await expect(page).toHaveURL(/unit=kva&/);
  await expect(chart.locator('.capacity-line')).toHaveCount(1);
  await expect(page.getByTestId('chart-legend')).toContainText('Agreed capacity');

  // October 2026 is not old enough for RF: no chart, a message, and never "-0".
  await page.getByRole('group', { name: 'Settlement run' }).getByRole('link', { name: 'RF' }).click();
  await expect(page).toHaveURL(/run=RF/);
  await expect(page.getByTestId('runs-seen')).toHaveText('No data at run RF in this range');
  await expect(page.getByTestId('total-kwh')).toHaveText('0.0 kWh');
  await expect(page.getByTestId('consumption')).toContainText('DUoS time bands (network charges)');
});

test('two supply points overlay in distinct colours, with the solar site export and its total', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await page.goto('/consumption');
  const form = page.getByTestId('consumption-form');
  await form.getByLabel(/Castlegate House/).check();
  await form.getByLabel(/Avonmouth Solar Depot/).check();
  await form.getByLabel('From', { exact: true }).fill('2026-06-01');
  await form.getByLabel('To', { exact: true }).fill('2026-06-07');
  await form.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/sp=\d+&sp=\d+&from=2026-06-01&to=2026-06-07/);
  await waitForHydration(page);
  const legend = page.getByTestId('chart-legend');
  await expect(legend).toContainText('Castlegate House');
  await expect(legend).toContainText('Avonmouth Solar Depot');
  await expect(legend).toContainText('Export');
  await expect(page.getByTestId('export-kwh')).toHaveText(/^\d[\d,]*(\.\d)? kWh$/);
  const hits = page.getByTestId('consumption-chart').locator('.hit');
  await expect(hits).toHaveCount(7 * 48);
  // Midday on 1 June: both supply points, and the depot's export.
  await hits.nth(24).hover();
  const tip = page.getByTestId('chart-tooltip');
  await expect(tip).toContainText('Mon 1 Jun 2026 12:00 BST');
  await expect(tip).toContainText(/Castlegate House · \d+: .* kWh · actual/);
  await expect(tip).toContainText(/Avonmouth Solar Depot · \d+: .* kWh/);
  await expect(tip).toContainText(/Avonmouth Solar Depot · \d+ export: \d/);

  // Seven supply points are refused with a clear message.
  await page.goto('/consumption?sp=1&sp=2&sp=3&sp=4&sp=5&sp=6&sp=7');
  await expect(page.getByTestId('consumption-problems')).toContainText('a chart compares at most 6');
});

test('choosing a month bar drills down to its days, and a day to its half-hours', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const { office } = await ids(page);
  await page.goto(`/consumption?sp=${office}&range=12m&unit=kwh&run=best`);
  await waitForHydration(page);
  await expect(page.getByTestId('consumption-caption')).toContainText('monthly');
  const chart = page.getByTestId('consumption-chart');
  await chart.locator('a.hit[data-when="Oct 2026"]').click();
  await expect(page).toHaveURL(/from=2026-10-01&to=2026-10-31/);
  await expect(page.getByTestId('consumption-caption')).toContainText('daily');
  await expect(chart.locator('.hit')).toHaveCount(31);
  await chart.locator('a.hit[data-when="Sun 25 Oct 2026"]').click();
  await expect(page).toHaveURL(/from=2026-10-25&to=2026-10-25/);
  await expect(chart.locator('.hit')).toHaveCount(50);
});

test('without JavaScript the chart, its native tooltips, the form and drill-down links still work', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  // Land on the consumption page (rendered whole on the server), not the dashboard, whose
  // streamed parts need JavaScript.
  await signIn(page, USERS.customerAdmin, '/login?next=/consumption');
  const { office } = await ids(page);
  await page.goto(`/consumption?sp=${office}&from=2026-10-01&to=2026-10-31&unit=kwh&run=best`);
  const chart = page.getByTestId('consumption-chart');
  await expect(chart.locator('svg')).toBeVisible();
  await expect(chart.locator('.hit title').first()).toHaveText(/Thu 1 Oct 2026 · periods 1–48/);
  // The SVG is in the page once: not again in the hydration payload.
  const html = await page.content();
  expect(html.split('chart-overlay').length - 1).toBe(1);
  await chart.locator('a.hit[data-when="Sun 25 Oct 2026"]').click();
  await expect(page).toHaveURL(/from=2026-10-25&to=2026-10-25/);
  await expect(chart.locator('.hit')).toHaveCount(50);
  await context.close();
});
