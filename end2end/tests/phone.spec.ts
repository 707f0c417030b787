import { test, expect, Page } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';
import { pagesFor, ROLES } from './pages';

// Every page fits a phone: at 360 and 430 px nothing is wider than the screen (tables stack or
// scroll inside their own box, charts shrink), for a customer and for staff. Screenshots at 390 px
// of the dashboard, the consumption page and an invoice, for the README.

/** How far the page is wider than the screen, and the outermost elements sticking out (those
 *  not inside a box that scrolls or clips them). */
async function overflow(page: Page): Promise<[number, string[]]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const e of Array.from(document.querySelectorAll('body *'))) {
      if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) continue;
      let q = e.parentElement;
      let clipped = false;
      while (q && !clipped) {
        clipped = ['auto', 'scroll', 'hidden'].includes(getComputedStyle(q).overflowX);
        q = q.parentElement;
      }
      if (!clipped) out.push(`${e.tagName.toLowerCase()}.${e.className} “${(e.textContent || '').trim().slice(0, 30)}”`);
    }
    return [document.documentElement.scrollWidth - window.innerWidth, out.slice(0, 3)];
  });
}

for (const role of [ROLES[0], ROLES[3]]) {
  test(`every page of a ${role.name} fits 360 and 430 px`, async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, role.email);
    const wide: string[] = [];
    for (const { path } of await pagesFor(page, role)) {
      for (const width of [360, 430]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(path);
        await expect(page.locator('main h1').first()).toBeVisible();
        const [over, what] = await overflow(page);
        if (over > 0) wide.push(`${path} @${width}px: ${over}px too wide: ${what.join('; ')}`);
      }
    }
    expect(wide, wide.join('\n')).toEqual([]);
  });
}

test('phone screenshots: dashboard, consumption, an invoice', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByTestId('portfolio')).toBeVisible();
  await waitForHydration(page);
  await page.screenshot({ path: 'screenshots/phone-dashboard.png', fullPage: true });
  await page.goto('/consumption');
  const sp = await page.locator('input[name="sp"]').first().getAttribute('value');
  await page.goto(`/consumption?sp=${sp}&range=7d`);
  await expect(page.getByTestId('consumption-chart')).toBeVisible();
  await waitForHydration(page);
  await page.screenshot({ path: 'screenshots/phone-consumption.png', fullPage: true });
  await page.goto('/invoices');
  await page.getByTestId('invoices').locator('tbody tr a').first().click();
  await expect(page.getByTestId('invoice-detail')).toBeVisible();
  await waitForHydration(page);
  // The invoice itself, as a phone shows it after choosing it from the list.
  await page.getByTestId('invoice-detail').scrollIntoViewIfNeeded();
  await page.getByTestId('invoice-detail').screenshot({ path: 'screenshots/phone-invoice.png', fullPage: true });
});
