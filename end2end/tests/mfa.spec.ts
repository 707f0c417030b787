import { test, expect } from '@playwright/test';
import { base32Decode, PASSWORD, remember, stepNow, totp, USERS } from './helpers';

// Runs before the other specs (its own project in playwright.config.ts): the account manager has
// no authenticator yet when it starts.
test('an account manager enrols an authenticator app, then signs in with its codes', async ({ page }) => {
  test.setTimeout(120_000);
  const email = USERS.accountManager;
  const signInWithPassword = async () => {
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  // The password alone gets no session: staff must set up an authenticator first.
  await signInWithPassword();
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await expect(page.getByTestId('user-menu')).toHaveCount(0);
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  const secretText = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
  expect(secretText).toMatch(/^[A-Z2-7]{32}$/);
  const secret = base32Decode(secretText);
  expect(secret.length).toBe(20);

  const enrolStep = stepNow();
  await page.getByLabel('Code the app shows now').fill(totp(secret, enrolStep));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/login\/recovery-codes$/);
  const codes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
  expect(codes).toHaveLength(10);
  expect(new Set(codes).size).toBe(10);
  remember(email, { secret: secretText, lastStep: enrolStep, recoveryCodes: codes });
  await page.getByRole('button', { name: /I have saved them/ }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await page.goto('/account');
  await expect(page.getByTestId('second-factor')).toContainText('On:');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);

  // Again: the password, then a code.
  await signInWithPassword();
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await expect(page.getByTestId('user-menu')).toHaveCount(0);

  // A wrong code (ten minutes off) is refused.
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, stepNow() + 20));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/login\/mfa\?error=code$/);
  await expect(page.getByTestId('mfa-error')).toBeVisible();
  await expect(page.getByTestId('user-menu')).toHaveCount(0);

  // The enrolment's code is spent: wait for the next 30-second step, as a person would.
  while (stepNow() <= enrolStep) await page.waitForTimeout(1000);
  const step = stepNow();
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, step));
  await page.getByRole('button', { name: 'Continue' }).click();
  remember(email, { secret: secretText, lastStep: step, recoveryCodes: codes });
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user-menu')).toBeVisible();
});

// Sign-in must work before (or without) the WASM: the second-factor pages are rendered in full on
// the server, not streamed in for the client to place.
test('the second-factor pages work without JavaScript', async ({ browser }) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const signIn = async (email: string) => {
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  // The operations admin has no authenticator yet: enrolment, with the QR code and the form.
  await signIn(USERS.ops);
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  await expect(page.getByTestId('totp-secret')).toBeVisible();
  await expect(page.getByLabel('Code the app shows now')).toBeVisible();
  // The account manager (enrolled above): the code step.
  await ctx.clearCookies();
  await signIn(USERS.accountManager);
  await expect(page).toHaveURL(/\/login\/mfa$/);
  await expect(page.getByLabel('Code', { exact: true })).toBeVisible();
  await ctx.close();
});
