import { test, expect, Page } from '@playwright/test';
import * as fs from 'node:fs';
import { signIn, USERS, waitForHydration } from './helpers';

// The analysis views of a supply point: every tab draws its chart (an SVG image) and table from
// the demo data, the span form changes what is shown, the table downloads as CSV with the same
// header, and a restricted user cannot open another site's supply point.

async function chartLoaded(page: Page) {
  const img = page.getByTestId('analysis-chart');
  await expect(img).toBeVisible();
  await expect
    .poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
}

test.describe('analysis views', () => {
  test('every view of a factory supply point draws its chart and table', async ({ page }) => {
    await signIn(page, USERS.customerAdmin, '/login?next=/analysis');
    await waitForHydration(page);
    await page.getByRole('link', { name: /Leicester Works/ }).first().click();
    await expect(page).toHaveURL(/view=heatmap&sp=\d+/);
    await expect(page.getByTestId('analysis-title')).toContainText('Heatmap · Leicester Works');
    await expect(page.getByTestId('analysis-run')).toContainText('data at: ');
    await chartLoaded(page);
    await expect(page.getByTestId('figures')).toContainText('Days with data');
    await page.screenshot({ path: 'screenshots/analysis-heatmap.png', fullPage: true });

    const views: [string, RegExp][] = [
      ['Load duration', /Base load/],
      ['Day profiles', /Weekdays/],
      ['Compare periods', /Against a year earlier/],
      ['Demand & power factor', /Agreed capacity/],
      ['Cost by time band', /Red band/],
      ['Run revisions', /Runs held/],
    ];
    for (const [tab, figure] of views) {
      await page.getByRole('link', { name: tab, exact: true }).click();
      await expect(page.getByTestId('analysis-title')).toContainText(tab);
      await expect(page.getByTestId('figures')).toContainText(figure);
      await chartLoaded(page);
      const name = tab.toLowerCase().replace(/[^a-z]+/g, '-');
      await page.screenshot({ path: `screenshots/analysis-${name}.png`, fullPage: true });
    }
    await expect(page.getByTestId('site-ranking')).toHaveCount(0);
    await page.getByRole('link', { name: 'Cost by time band', exact: true }).click();
    await expect(page.getByTestId('site-ranking')).toContainText('Felixstowe Cold Store');
  });

  test('the span form changes the view and the table downloads with the same figures', async ({ page }) => {
    await signIn(page, USERS.customerAdmin, '/login?next=/analysis');
    await waitForHydration(page);
    await page.getByRole('link', { name: /Felixstowe Cold Store/ }).first().click();
    await page.getByRole('link', { name: 'Demand & power factor', exact: true }).click();
    const form = page.getByTestId('span-form');
    await form.getByLabel('From').fill('2026-01-01');
    await form.getByLabel('To').fill('2026-03-31');
    await form.getByRole('button', { name: 'Show' }).click();
    await expect(page).toHaveURL(/view=demand&sp=\d+&from=2026-01-01&to=2026-03-31/);
    await expect(page.getByTestId('analysis-run')).toContainText('1 Jan 2026 to 31 Mar 2026');
    const rows = page.locator('[data-testid=analysis-table] tbody tr');
    await expect(rows).toHaveCount(3);
    await expect(rows.first()).toContainText('Jan 2026');

    const href = await page.getByRole('link', { name: 'Table (CSV)' }).getAttribute('href');
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('Month,kWh,Maximum demand (kVA),When,kW at maximum,Power factor,Above capacity (kVA)');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^Jan 2026,\d+,/);

    const svg = await page.request.get(href!.replace('/table.csv', '/chart.svg'));
    expect(svg.headers()['content-type']).toBe('image/svg+xml');
    expect(await svg.text()).toContain('Agreed capacity');

    // A span backwards is refused with the reason on the page.
    await page.goto(page.url().replace('from=2026-01-01', 'from=2026-06-01'));
    await expect(page.getByRole('alert')).toContainText('after it ends');
  });

  test('without JavaScript the views, links and form still work', async ({ page }) => {
    await page.route('**/pkg/*.js', (route) => route.abort());
    await signIn(page, USERS.customerAdmin, '/login?next=/analysis');
    await page.getByRole('link', { name: /Castlegate House/ }).first().click();
    await page.getByRole('link', { name: 'Day profiles', exact: true }).click();
    await expect(page.getByTestId('analysis-title')).toContainText('Day profiles · Castlegate House');
    await expect(page.locator('[data-testid=analysis-table] tbody tr')).toHaveCount(48);
    await chartLoaded(page);
  });

  test('a user limited to some sites cannot open another site\'s supply point', async ({ page }) => {
    await signIn(page, USERS.customerAdmin, '/login?next=/analysis');
    await page.getByRole('link', { name: /Castlegate House/ }).first().click();
    const url = page.url();
    await page.context().clearCookies();
    await signIn(page, USERS.customerUser, '/login?next=/analysis');
    await expect(page.getByRole('link', { name: /Castlegate House/ })).toHaveCount(0);
    const res = await page.goto(url);
    expect(res!.status()).toBe(404);
    const chart = await page.request.get(url.replace('/analysis?', '/analysis/chart.svg?'));
    expect(chart.status()).toBe(404);
  });

  test('the export form downloads half-hourly data in long and wide form', async ({ page }) => {
    await signIn(page, USERS.customerAdmin, '/login?next=/export');
    const form = page.getByTestId('export-form');
    await form.getByLabel(/Felixstowe Cold Store/).check();
    await form.getByLabel('From').fill('2026-10-24');
    await form.getByLabel('To (inclusive)').fill('2026-10-26');
    for (const [layout, check] of [
      ['Long', (lines: string[]) => {
        expect(lines[0]).toMatch(/^mpan_core,channel,/);
        // 48 + 50 (the autumn clock change) + 48 half-hours of active import.
        expect(lines.length - 1).toBe(146);
      }],
      ['Wide', (lines: string[]) => {
        expect(lines[0]).toContain('P01');
        expect(lines[0]).toContain('P50');
        expect(lines.length - 1).toBe(3);
      }],
    ] as const) {
      await form.getByLabel(new RegExp(`^${layout}:`)).check();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        form.getByRole('button', { name: 'Download CSV' }).click(),
      ]);
      const file = await download.path();
      const text = fs.readFileSync(file!, 'utf8');
      check(text.trim().split('\n'));
    }
  });
});
