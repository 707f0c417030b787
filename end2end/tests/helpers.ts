import { expect, Page, test } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PASSWORD = 'demo-password-2026';
export const USERS = {
  customerAdmin: 'facilities@castlegate.example',
  customerUser: 'energy@castlegate.example',
  otherCustomer: 'manager@riverside.example',
  accountManager: 'am@northgate.example',
  ops: 'ops@northgate.example',
};

// ---- TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps), computed here as an app would. ----

export const STEP_SECONDS = 30;

export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit code of `secret` for time step `step`. */
export function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', secret).update(counter).digest();
  const offset = h[h.length - 1] & 0x0f;
  const binary = (h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return binary.toString().padStart(6, '0');
}

export const stepNow = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

// ---- Authenticators enrolled during this run, kept in a file so every test (and a restarted ----
// ---- worker) finds them. The e2e database is seeded afresh each run, so staff enrol at their ----
// ---- first sign-in of the run, which overwrites what an earlier run left.                  ----

export type Enrolled = { secret: string; lastStep: number; recoveryCodes: string[] };
const STORE = path.join(os.tmpdir(), `ic-portal-e2e-totp-${process.env.PORTAL_E2E_PORT ?? '3100'}.json`);

function load(): Record<string, Enrolled> {
  try {
    return JSON.parse(fs.readFileSync(STORE, 'utf8'));
  } catch {
    return {};
  }
}

export function remember(email: string, e: Enrolled) {
  const all = load();
  all[email] = e;
  fs.writeFileSync(STORE, JSON.stringify(all));
}

export function enrolled(email: string): Enrolled | undefined {
  return load()[email];
}

/**
 * The next code for `email`: the server accepts each time step once (and one step of drift either
 * way), so this takes the earliest acceptable step after the last one used, waiting for the clock
 * when every acceptable step is spent.
 */
export async function nextCode(page: Page, email: string): Promise<string> {
  const e = enrolled(email);
  if (!e) throw new Error(`${email} has an authenticator this run did not enrol`);
  let step = Math.max(stepNow() - 1, e.lastStep + 1);
  if (step > stepNow() + 1) {
    test.info().setTimeout(test.info().timeout + 2 * STEP_SECONDS * 1000);
    while (step > stepNow() + 1) await page.waitForTimeout(1000);
    step = Math.max(stepNow() - 1, e.lastStep + 1);
  }
  remember(email, { ...e, lastStep: step });
  return totp(base32Decode(e.secret), step);
}

/** On the enrolment page: reads the key, confirms with its code, keeps the recovery codes. */
export async function enrolOnPage(page: Page, email: string): Promise<Enrolled> {
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
  const step = stepNow();
  await page.getByLabel('Code the app shows now').fill(totp(base32Decode(secret), step));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/login\/recovery-codes$/);
  const recoveryCodes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
  expect(recoveryCodes).toHaveLength(10);
  const e = { secret, lastStep: step, recoveryCodes };
  remember(email, e);
  await page.getByRole('button', { name: /I have saved them/ }).click();
  return e;
}

/**
 * Signs in through the login form (a plain form post: works with or without the WASM), then the
 * second factor when asked: enrols an authenticator at the first sign-in of staff, or enters the
 * next code.
 */
export async function signIn(page: Page, email: string, goto = '/login') {
  await page.goto(goto);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
  const here = new URL(page.url()).pathname;
  if (here === '/login/enrol') {
    await enrolOnPage(page, email);
  } else if (here === '/login/mfa') {
    await page.getByLabel('Code', { exact: true }).fill(await nextCode(page, email));
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

/** Resolves once the WASM client has hydrated the page (event handlers attached) and it has settled. */
export async function waitForHydration(page: Page) {
  // The client sets data-hydrated on <html> once hydrate_body has attached the event handlers
  // (app/src/lib.rs); a loaded .wasm file alone did not mean that (a filter typed too early was lost).
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
}
