import { test, expect } from '@playwright/test';
import { PASSWORD, signIn, USERS } from './helpers';

test('a customer sees only their own sites', async ({ page }) => {
  await signIn(page, USERS.otherCustomer);
  await page.goto('/sites');
  await expect(page.locator('.site-item')).toHaveCount(2);
  await expect(page.getByText('Riverside Leisure Centre')).toBeVisible();
  await expect(page.getByText('Felixstowe Cold Store')).toHaveCount(0);
});

test('a restricted customer user sees only the sites granted to them', async ({ page }) => {
  await signIn(page, USERS.customerUser);
  await page.goto('/sites');
  await expect(page.locator('.site-item')).toHaveCount(2);
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
});

test('an account manager sees only the customers assigned to them', async ({ page }) => {
  await signIn(page, USERS.accountManager);
  await page.goto('/admin');
  const customers = page.getByTestId('customers').locator('tbody tr');
  await expect(customers).toHaveCount(1);
  await expect(customers.first()).toContainText('Castlegate Group Ltd');
  await page.goto('/sites');
  await expect(page.locator('.site-item')).toHaveCount(6);
  await expect(page.getByText('Riverside')).toHaveCount(0);
});

test('signing out returns to the login page and the session is over', async ({ page }) => {
  await signIn(page, USERS.customerAdmin);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByText('You have signed out.')).toBeVisible();
  await page.goto('/sites');
  await expect(page).toHaveURL(/\/login\?next=\/sites$/);
});

test('a deep link while signed out goes to login and back after', async ({ page }) => {
  await page.goto('/sites?site=2');
  await expect(page).toHaveURL(/\/login\?next=\/sites%3Fsite%3D2$/);
  await page.getByLabel('Email address').fill(USERS.customerAdmin);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sites\?site=2$/);
  await expect(page.getByTestId('site-name')).toBeVisible();
});

test('a wrong password gets a generic message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email address').fill(USERS.customerAdmin);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('The email address or password is not right.');
});

test('operations admins see the audit log', async ({ page }) => {
  await signIn(page, USERS.ops);
  await page.goto('/admin');
  await expect(page.getByTestId('audit')).toContainText('login.succeeded');
});
