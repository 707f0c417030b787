import * as fs from 'node:fs';
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

// A Lambda response holds at most 6 MB, so on AWS the HH export goes to an S3 bucket and the
// browser to a presigned link (server/src/export/offload). Here the bucket is on the local S3
// server (PORTAL_EXPORT_ORIGIN): the form's GET is answered 303, the page's form-action allows
// the bucket's origin, and Chromium downloads the file from there under the portal's file name.
test('an HH export is downloaded from the export bucket through a presigned link', async ({ page }) => {
  const origin = process.env.PORTAL_EXPORT_ORIGIN;
  expect(origin, 'PORTAL_EXPORT_ORIGIN: run through scripts/lambda-e2e.sh').toBeTruthy();
  await page.goto('/login?next=/export');
  await page.getByLabel('Email address').fill(USERS.customerAdmin);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const form = page.getByTestId('export-form');
  await form.getByLabel(/Felixstowe Cold Store/).check();
  await form.getByLabel('From').fill('2026-10-24');
  await form.getByLabel('To (inclusive)').fill('2026-10-26');
  await form.getByLabel(/^Long:/).check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    form.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(download.url().startsWith(`${origin}/`), download.url()).toBe(true);
  expect(download.url()).toContain('X-Amz-Signature=');
  expect(download.suggestedFilename()).toMatch(/^hh-\d{13}-best-long-2026-10-24-2026-10-26\.csv$/);
  const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
  expect(lines[0]).toMatch(/^mpan_core,channel,/);
  // 48 + 50 (the autumn clock change) + 48 half-hours of active import.
  expect(lines.length - 1).toBe(146);
});
