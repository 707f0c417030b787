import { test, expect } from '@playwright/test';
import { PASSWORD, USERS, waitForHydration } from '../tests/helpers';

// The documented subset of the end-to-end suite run against the server in Lambda mode
// (scripts/lambda-e2e.sh): every request goes browser → cargo-lambda's emulator → an API Gateway
// HTTP API (payload 2.0) event → lambda_http → the router, and back as a Lambda response.
// It covers sign-in (a form POST, a Set-Cookie in the Lambda answer), pages (streamed HTML,
// compressed and base64-encoded), a server fn (a form-encoded POST, JSON back), and the static
// files the client needs (JavaScript, the WASM as binary, the stylesheet).

test('sign-in, a page, the static files and an island in Lambda mode', async ({ page }) => {
  const pkg: { url: string; status: number; type: string }[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/')) {
      pkg.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' });
    }
  });

  await page.goto('/login?next=/sites');
  await page.getByLabel('Email address').fill(USERS.customerAdmin);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
  await expect(page.getByText('Felixstowe Cold Store')).toBeVisible();

  // The client came through the Lambda response (the WASM base64-encoded) and hydrated.
  await waitForHydration(page);
  const wasm = pkg.find((r) => r.url.endsWith('.wasm'));
  expect(wasm, JSON.stringify(pkg)).toBeTruthy();
  expect(wasm!.status).toBe(200);
  expect(wasm!.type).toContain('application/wasm');
  expect(pkg.some((r) => r.url.endsWith('.js') && r.status === 200)).toBe(true);
  expect(pkg.some((r) => r.url.endsWith('.css') && r.status === 200)).toBe(true);

  // The island works: the filter narrows the list as the user types.
  await page.getByLabel('Filter sites').fill('leicester');
  await expect(page.locator('.site-item')).toHaveCount(1);
});

test('a server fn answers JSON through the Lambda adapter', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email address').fill(USERS.customerAdmin);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await page.goto('/sites');
  const href = await page.getByRole('link', { name: /Leicester Works/ }).getAttribute('href');
  const siteId = new URL(href!, page.url()).searchParams.get('site');
  // As the client calls server fns: a same-origin form-encoded POST with the session cookie.
  const answer = await page.evaluate(async (id) => {
    const r = await fetch('/api/sites/detail', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `site_id=${id}`,
    });
    return { status: r.status, body: await r.json() };
  }, siteId);
  expect(answer.status).toBe(200);
  expect(answer.body.site.name).toBe('Leicester Works');
  expect(answer.body.supply_points.length).toBe(2);

  // Another tenant's site: 404, as on axum::serve.
  const other = await page.evaluate(async () => {
    const r = await fetch('/api/sites/detail', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'site_id=999999',
    });
    return r.status;
  });
  expect(other).toBe(404);
});

test('signing out ends the session in Lambda mode', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email address').fill(USERS.otherCustomer);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/sites');
  await expect(page).toHaveURL(/\/login/);
});
