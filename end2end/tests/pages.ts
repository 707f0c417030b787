import { expect, Page } from '@playwright/test';
import { USERS } from './helpers';

/** Who signs in for the page checks, and what their role lets them open. */
export type Role = { name: string; email: string; staff: boolean; admin: boolean };

export const ROLES: Role[] = [
  { name: 'customer admin', email: USERS.customerAdmin, staff: false, admin: true },
  { name: 'customer user (two sites)', email: USERS.customerUser, staff: false, admin: false },
  { name: 'account manager', email: USERS.accountManager, staff: true, admin: true },
  { name: 'operations admin', email: USERS.ops, staff: true, admin: true },
];

/** A page, and what must be on it (from the first HTML response when JavaScript is off). */
export type PageCheck = { path: string; data: (page: Page) => Promise<void> };

const visible = (page: Page, selector: string) => expect(page.locator(selector).first()).toBeVisible();

/** The first supply point a caller may see, from the consumption page's own choice form. */
export async function firstPoint(page: Page): Promise<string> {
  await page.goto('/consumption');
  const sp = page.locator('input[name="sp"]').first();
  await expect(sp).toBeAttached();
  return (await sp.getAttribute('value'))!;
}

/** Every page a role opens, with the data each must show. */
export async function pagesFor(page: Page, role: Role): Promise<PageCheck[]> {
  const sp = await firstPoint(page);
  const pages: PageCheck[] = [
    { path: '/', data: async (p) => visible(p, '[data-testid="portfolio"] table tbody tr') },
    { path: '/alerts?status=all', data: async (p) => visible(p, '[data-testid="alerts"] tbody tr') },
    { path: '/sites', data: async (p) => visible(p, '.site-item') },
    {
      path: `/consumption?sp=${sp}&range=30d`,
      data: async (p) => {
        await visible(p, '[data-testid="consumption-chart"] svg');
        await visible(p, '[data-testid="chart-table"] summary');
      },
    },
    { path: `/analysis?view=demand&sp=${sp}`, data: async (p) => visible(p, 'main table tbody tr') },
    { path: '/invoices', data: async (p) => visible(p, '[data-testid="invoices"] tbody tr') },
    { path: '/bill-validation', data: async (p) => visible(p, '[data-testid="validations"] tbody tr') },
    { path: '/queries', data: async (p) => visible(p, 'main h1') },
    { path: '/contracts', data: async (p) => visible(p, '[data-testid="contract"]') },
    { path: '/export', data: async (p) => visible(p, 'main form') },
    { path: '/account', data: async (p) => expect(p.locator('main')).toContainText(role.email) },
  ];
  if (role.admin) pages.push({ path: '/admin', data: async (p) => visible(p, 'main .card table tbody tr') });
  if (role.staff) {
    pages.push({ path: '/customers', data: async (p) => visible(p, '[data-testid="customers"] tbody tr') });
    pages.push({ path: '/admin/imports', data: async (p) => visible(p, '[data-testid="import-history"]') });
  }
  return pages;
}

/** The pages anyone opens before signing in. */
export const PUBLIC_PAGES = ['/login', '/login/forgot'];
