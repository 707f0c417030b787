import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, USERS } from './helpers';
import { firstPoint, pagesFor, ROLES, PUBLIC_PAGES } from './pages';

// WCAG 2.2 AA by axe-core on every page for every role, at desktop and at phone width: any
// serious or critical violation fails, listed with the elements it concerns.

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function violations(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`);
}

for (const role of ROLES) {
  test(`every page of a ${role.name} passes axe (WCAG 2.2 AA), desktop and phone`, async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, role.email);
    const found: string[] = [];
    for (const { path } of await pagesFor(page, role)) {
      for (const width of [1360, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(path);
        await expect(page.locator('main h1').first()).toBeVisible();
        found.push(...(await violations(page, `${path} @${width}px`)));
      }
    }
    expect(found, found.join('\n')).toEqual([]);
  });
}

test('the public pages pass axe', async ({ page }) => {
  const found: string[] = [];
  for (const path of PUBLIC_PAGES) {
    await page.goto(path);
    found.push(...(await violations(page, path)));
  }
  expect(found, found.join('\n')).toEqual([]);
});

test('the consumption chart: its bars take keyboard focus, and its figures open as a table', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const sp = await firstPoint(page);
  await page.goto(`/consumption?sp=${sp}&range=30d`);
  const chart = page.getByTestId('consumption-chart');
  await expect(chart).toBeVisible();
  // Tab until focus is on a bar of the chart (each carries its figures in its title).
  let onBar = false;
  for (let i = 0; i < 80 && !onBar; i++) {
    await page.keyboard.press('Tab');
    onBar = await page.evaluate(() => !!document.activeElement?.closest('[data-testid="consumption-chart"] svg'));
  }
  expect(onBar).toBe(true);
  // Its figures: the SVG <title>, which the client turns into the bar's aria-label.
  const said = await page.evaluate(
    () => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.querySelector('title')?.textContent ?? '',
  );
  expect(said).toMatch(/kWh/);
  // The text alternative: a toggle that opens every bar's figures (30 days: a bar a day).
  const table = page.getByTestId('chart-table');
  await table.locator('summary').click();
  await expect(table.locator('tbody tr')).toHaveCount(30);
  await expect(table.locator('tbody tr').first()).toContainText(/kWh/);
});
