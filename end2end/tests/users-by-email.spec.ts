import { test, expect } from '@playwright/test';
import { PASSWORD, signIn, USERS, waitForHydration } from './helpers';
import { waitForLink } from './mail';
import * as fs from 'node:fs';

test('a customer admin invites a colleague restricted to two sites, who accepts by e-mail', async ({ page, browser }) => {
  const since = Date.now() - 1000;
  const email = `sam.patel-${Date.now()}@castlegate.example`;
  await signIn(page, USERS.customerAdmin);
  await page.goto('/admin');
  await waitForHydration(page);
  const invite = page.getByTestId('invite');
  await expect(invite).toContainText('The link works once, for 72 hours');
  await invite.getByLabel('Name').fill('Sam Patel');
  await invite.getByLabel('Email').fill(email);
  await invite.getByLabel('Role').selectOption('customer_user');
  await invite.getByLabel('Felixstowe Cold Store').check();
  await invite.getByLabel('Leicester Works').check();
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByTestId('flash')).toContainText(`Invitation sent to ${email}`);
  const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row).toContainText('Invited');
  await expect(row.getByTestId('user-sites')).toHaveText('Felixstowe Cold Store, Leicester Works');
  fs.mkdirSync('screenshots', { recursive: true });
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'screenshots/users-admin.png', fullPage: true });
  // At phone width the table scrolls sideways inside its card; the invitation form stacks.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'screenshots/users-admin-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1360, height: 900 });

  // The colleague reads the e-mail, in their own browser.
  const { mail, link } = await waitForLink(email, '/welcome', since);
  expect(mail.text).toContain('Dear Sam Patel,');
  expect(mail.text).toContain('has invited you to the Northgate Energy business portal for Castlegate Group Ltd');
  expect(mail.text).toContain('works for 72 hours');
  const colleague = await (await browser.newContext()).newPage();
  await colleague.goto(link);
  await expect(colleague.getByRole('heading', { name: 'Accept your invitation' })).toBeVisible();
  await expect(colleague.getByTestId('link-lead')).toContainText('Welcome, Sam Patel');
  await expect(colleague.getByTestId('link-lead')).toContainText('Castlegate Group Ltd');
  await colleague.screenshot({ path: 'screenshots/invitation-accept.png' });
  // A common password is refused with the reason; the link still works.
  await colleague.getByLabel(/^New password/).fill('Password2026!');
  await colleague.getByLabel('The same password again').fill('Password2026!');
  await colleague.getByRole('button', { name: 'Set my password and sign in' }).click();
  await expect(colleague.getByTestId('link-error')).toContainText('too common');
  await colleague.getByLabel(/^New password/).fill('kestrel-orchard-lantern-9');
  await colleague.getByLabel('The same password again').fill('kestrel-orchard-lantern-9');
  await colleague.getByRole('button', { name: 'Set my password and sign in' }).click();
  await expect(colleague.getByTestId('user-menu')).toBeVisible();

  // Signed in, they see exactly the two sites chosen.
  await colleague.goto('/sites');
  await expect(colleague.locator('.site-item')).toHaveCount(2);
  await expect(colleague.getByText('Felixstowe Cold Store')).toBeVisible();
  await expect(colleague.getByText('Leicester Works')).toBeVisible();
  await expect(colleague.getByText('Castlegate House')).toHaveCount(0);

  // The link is used up: opened again, it says so.
  await colleague.goto(link);
  await expect(colleague.getByTestId('link-problem')).toContainText('already been used');

  // The admin now sees their last sign-in instead of the invitation.
  await page.reload();
  await expect(row).not.toContainText('Invited');
  await expect(row).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
});

test('a forgotten password is reset through the e-mailed link', async ({ page }) => {
  const since = Date.now() - 1000;
  const email = USERS.customerUser;
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/login\/forgot$/);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toContainText('If that address belongs to an account');

  // An address that is nobody's gets exactly the same page.
  await page.goto('/login/forgot');
  await page.getByLabel('Email address').fill('nobody@castlegate.example');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toContainText('If that address belongs to an account');

  const { mail, link } = await waitForLink(email, '/reset-password', since);
  expect(mail.text).toContain('works for 1 hour');
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/password-reset.png' });
  const temporary = 'heron-quay-lamplight-4';
  await page.getByLabel(/^New password/).fill(temporary);
  await page.getByLabel('The same password again').fill(temporary);
  await page.getByRole('button', { name: 'Set my password and sign in' }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();

  // The link works once.
  await page.goto(link);
  await expect(page.getByTestId('link-problem')).toContainText('already been used');
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();

  // Back to the demo password for the other journeys (changing it signs out everywhere).
  await page.goto('/account');
  await page.getByLabel('Current password').fill(temporary);
  await page.getByLabel(/^New password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/login\?changed=1$/);
  await signIn(page, email);
});

test('a link that was tampered with gets a page that says so', async ({ page }) => {
  const res = await page.goto(`/reset-password?token=${'0'.repeat(64)}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId('link-problem')).toContainText('This link is not valid');
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
});

test('operations manage the users of any customer from the Admin page', async ({ page }) => {
  await signIn(page, USERS.ops);
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Manage users of Riverside Leisure Ltd' }).click();
  await expect(page).toHaveURL(/\/admin\?org=\d+$/);
  await expect(page.getByTestId('users')).toContainText('Users of Riverside Leisure Ltd');
  await expect(page.locator('[data-testid="user-row"][data-email="manager@riverside.example"]')).toBeVisible();
  await expect(page.getByTestId('invite').getByLabel('Riverside Leisure Centre')).toBeVisible();
  // Their own organisation's sites only: none of Castlegate's.
  await expect(page.getByTestId('invite')).not.toContainText('Felixstowe');
});
