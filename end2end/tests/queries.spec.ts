import { test, expect, Page } from '@playwright/test';
import { signIn, USERS, waitForHydration } from './helpers';

// The demo's mis-billed invoice: 31 days of standing charge in February 2026, and the cold store's
// red-band kWh 12 % high.
const INVOICE = 'INV-NGE-100234-202602';
const CREDIT_NOTE = 'CN-NGE-100234-202602';
const REBILL = 'INV-NGE-100234-202602-R1';

async function openInvoice(page: Page, number: string) {
  await page.goto('/invoices');
  await waitForHydration(page);
  await page.getByTestId('invoices').getByRole('link', { name: number, exact: true }).click();
  await expect(page.getByTestId('invoice-detail')).toContainText(`Invoice ${number}`);
}

/** The amount in the Total column of an invoice's row, in pence. */
async function totalOf(page: Page, number: string): Promise<number> {
  const row = page.getByTestId('invoices').locator('tbody tr', { has: page.getByRole('link', { name: number, exact: true }) });
  const text = (await row.locator('td').last().textContent()) ?? '';
  return Math.round(Number(text.replace(/[£,]/g, '')) * 100);
}

test('a customer queries the mis-billed invoice, the account manager credits it, the customer sees the credit note and re-bill', async ({ browser }) => {
  test.setTimeout(120_000);
  // The customer admin raises a query on the standing charge line.
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, USERS.customerAdmin);
  await openInvoice(customer, INVOICE);
  const panel = customer.getByTestId('invoice-queries');
  await expect(panel).toContainText('No queries on this invoice.');
  const raise = panel.getByTestId('raise-query');
  const line = raise.locator('option', { hasText: /^Standing charge, 31 days/ }).first();
  await raise.getByLabel('What is it about?').selectOption((await line.getAttribute('value'))!);
  await raise
    .getByLabel(/Your message/)
    .fill('The standing charge is billed for 31 days, but February 2026 has 28. Please check.');
  await raise.getByRole('button', { name: 'Raise query' }).click();
  await expect(panel.getByTestId('invoice-status')).toHaveText('queried');
  const thread = panel.getByTestId('query-thread');
  await expect(thread).toContainText('Query on Standing charge, 31 days');
  await expect(thread.getByTestId('query-status')).toHaveText('Open');

  // The account manager finds it in the queue, replies and resolves it with a credit.
  const am = await (await browser.newContext()).newPage();
  await signIn(am, USERS.accountManager);
  await am.goto('/queries');
  await waitForHydration(am);
  await expect(am.getByRole('heading', { name: 'Open queries', level: 1 })).toBeVisible();
  const row = am.getByTestId('queries').locator('tbody tr', { hasText: INVOICE });
  await expect(row).toContainText('Castlegate Group Ltd');
  await expect(row).toContainText('Standing charge, 31 days');
  await row.getByRole('link', { name: 'Open thread' }).click();
  const amThread = am.getByTestId('query-thread');
  await amThread.getByLabel('Reply').fill('Thank you: checking it against your half-hourly data now.');
  await amThread.getByRole('button', { name: 'Send reply' }).click();
  await expect(amThread.locator('.message')).toHaveCount(2);
  await amThread.getByLabel('Resolution').selectOption('credited');
  await amThread
    .getByLabel('Message to the customer')
    .fill('You are right: we have credited the invoice and re-billed it from your half-hourly data.');
  await amThread.getByRole('button', { name: 'Resolve query' }).click();
  await expect(amThread.getByTestId('query-status')).toHaveText('Resolved: credited and re-billed');
  await expect(amThread.getByTestId('credit-documents')).toContainText(CREDIT_NOTE);
  await expect(amThread.getByTestId('credit-documents')).toContainText(REBILL);
  // Resolved: it leaves the queue of open queries.
  await am.goto('/queries');
  await expect(am.getByTestId('queries').locator('tbody tr', { hasText: INVOICE })).toHaveCount(0);

  // The customer sees the outcome on the invoice, and the credit note and re-bill in the list.
  await openInvoice(customer, INVOICE);
  await expect(panel.getByTestId('invoice-status')).toHaveText('credited');
  await expect(thread.getByTestId('query-status')).toHaveText('Resolved: credited and re-billed');
  await expect(thread.locator('.message')).toHaveCount(3);
  await expect(thread.locator('.message--staff')).toHaveCount(2);
  await expect(panel.getByTestId('raise-query')).toHaveCount(0);
  await thread.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: 'screenshots/query-thread.png' });

  const original = await totalOf(customer, INVOICE);
  const credit = await totalOf(customer, CREDIT_NOTE);
  const rebill = await totalOf(customer, REBILL);
  expect(original + credit).toBe(0);
  expect(rebill).toBeGreaterThan(0);
  expect(rebill).toBeLessThan(original);

  await thread.getByTestId('credit-documents').getByRole('link', { name: CREDIT_NOTE }).click();
  await expect(customer.getByTestId('invoice-detail')).toContainText(`Invoice ${CREDIT_NOTE}`);
  await expect(panel.getByTestId('credits')).toContainText(INVOICE);
  await expect(panel.getByTestId('raise-query')).toHaveCount(0);

  await openInvoice(customer, REBILL);
  await expect(panel.getByTestId('rebills')).toContainText(INVOICE);
  await expect(panel.getByTestId('invoice-status')).toHaveText('issued');
  await expect(panel.getByTestId('raise-query')).toBeVisible();
});

test('a restricted customer user sees the query on their site, the other customer sees none', async ({ browser }) => {
  const user = await (await browser.newContext()).newPage();
  await signIn(user, USERS.customerUser);
  await user.goto('/queries');
  await expect(user.getByRole('heading', { name: 'Your queries', level: 1 })).toBeVisible();
  const row = user.getByTestId('queries').locator('tbody tr', { hasText: INVOICE });
  await expect(row).toContainText('Resolved: credited and re-billed');
  await row.getByRole('link', { name: 'Open thread' }).click();
  await expect(user.getByTestId('query-thread').locator('.message')).toHaveCount(3);
  await expect(user.getByTestId('reply-form')).toHaveCount(0);
  await expect(user.getByTestId('resolve-form')).toHaveCount(0);

  const other = await (await browser.newContext()).newPage();
  await signIn(other, USERS.otherCustomer);
  await other.goto('/queries');
  await expect(other.getByText('No queries yet.')).toBeVisible();
  const id = new URL(user.url()).searchParams.get('query');
  const res = await other.goto(`/queries?query=${id}`);
  expect(res?.status()).toBe(404);
  await expect(other.getByRole('alert')).toHaveText('Not found.');
});

test('a query can be raised without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  // Straight to the invoices page (rendered in full on the server; the dashboard streams).
  await signIn(page, USERS.customerUser, '/login?next=/invoices');
  await page.getByTestId('invoices').getByRole('link', { name: 'INV-NGE-100234-202601', exact: true }).click();
  const panel = page.getByTestId('invoice-queries');
  const raise = panel.getByTestId('raise-query');
  await expect(raise.locator('option').first()).toHaveText('The whole invoice');
  await raise.getByLabel(/Your message/).fill('Please send a copy of the meter readings for January.');
  await raise.getByRole('button', { name: 'Raise query' }).click();
  // The form posts to the server fn, which sends the browser back to the invoice.
  await expect(page).toHaveURL(/\/invoices\?invoice=\d+$/);
  await expect(panel.getByTestId('invoice-status')).toHaveText('queried');
  await expect(panel.getByTestId('query-thread')).toContainText('Query on Whole invoice');
  await context.close();
});
