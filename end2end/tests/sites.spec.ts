import { test, expect } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';

test('the sites page is server-rendered with data from Postgres', async ({ page }) => {
  // No JavaScript at all: what a user sees before the WASM loads, or with it blocked.
  await page.route('**/pkg/*.js', (route) => route.abort());
  await signIn(page, USERS.ops, '/login?next=/sites');
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
  await expect(page.locator('.site-item')).toHaveCount(8);
  await expect(page.getByText('Felixstowe Cold Store')).toBeVisible();
  await expect(page.getByTestId('site-count')).toHaveText('8 of 8 sites');
});

test('choosing a site shows its supply points', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await page.goto('/sites');

  await page.getByRole('link', { name: /Leicester Works/ }).click();
  await expect(page).toHaveURL(/\/sites\?site=\d+$/);
  await expect(page.getByTestId('site-name')).toHaveText('Leicester Works');
  const rows = page.getByTestId('supply-points').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('East Midlands');
  await expect(rows.first().locator('.mpan__core')).toHaveText(/^11\d{11}$/);
  await expect(page.getByRole('link', { name: /Leicester Works/ })).toHaveAttribute('aria-current', 'true');

  await page.getByRole('link', { name: /Avonmouth Solar Depot/ }).click();
  await expect(page.getByTestId('site-name')).toHaveText('Avonmouth Solar Depot');
  await expect(page.getByTestId('supply-points')).toContainText('Export');
});

test('without JavaScript the filter is a search form', async ({ page }) => {
  await page.route('**/pkg/*.js', (route) => route.abort());
  await signIn(page, USERS.ops, '/login?next=/sites');
  await page.getByLabel('Filter sites').fill('newcastle');
  await page.getByLabel('Filter sites').press('Enter');
  await expect(page).toHaveURL(/\/sites\?q=newcastle$/);
  await expect(page.getByTestId('site-count')).toHaveText('2 of 8 sites');
  await expect(page.locator('.site-item')).toHaveCount(2);
});

test('the filter narrows the list as the user types', async ({ page }) => {
  await signIn(page, USERS.ops);
  await page.goto('/sites');
  await waitForHydration(page);
  await page.getByLabel('Filter sites').fill('newcastle');
  await expect(page.getByTestId('site-count')).toHaveText('2 of 8 sites');
  await expect(page.locator('.site-item')).toHaveCount(2);
});

test('screenshot of the sites page with a site chosen', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await page.goto('/sites');
  await waitForHydration(page);
  await page.getByRole('link', { name: /Felixstowe Cold Store/ }).click();
  await expect(page.getByTestId('site-name')).toHaveText('Felixstowe Cold Store');
  await page.screenshot({ path: 'screenshots/sites.png', fullPage: true });
});

test('an unknown page answers 404 with the portal frame', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Primary' })).toBeVisible();
});
