import { expect, Page } from '@playwright/test';

export const PASSWORD = 'demo-password-2026';
export const USERS = {
  customerAdmin: 'facilities@castlegate.example',
  customerUser: 'energy@castlegate.example',
  otherCustomer: 'manager@riverside.example',
  accountManager: 'am@northgate.example',
  ops: 'ops@northgate.example',
};

/** Signs in through the login form (a plain form post: works with or without the WASM). */
export async function signIn(page: Page, email: string, goto = '/login') {
  await page.goto(goto);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
}

/** Resolves once the WASM client has loaded and the page has settled. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm')),
  );
  await page.waitForLoadState('networkidle');
}
