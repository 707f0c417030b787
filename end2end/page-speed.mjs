// Page speed of a running portal in Chromium, for scripts/page-speed.sh (which starts the server
// and passes PAGE_SPEED_*). Not a Playwright test: it prints medians as a Markdown table.
//
// Per run and page: a new browser context (empty HTTP cache, new connections) with the signed-in
// session's cookie loads the page (cold), then the same tab reloads it (warm). Measured in the page
// with the Performance API: largest contentful paint (PerformanceObserver, buffered) and the
// moment the client marks <html data-hydrated> (a MutationObserver installed before any page
// script); bytes on the wire from Chromium's DevTools protocol (Network.loadingFinished
// encodedDataLength: bodies as sent plus headers; 0 for what the cache answered).
import { chromium } from '@playwright/test';

const base = process.env.PAGE_SPEED_URL;
const runs = Number(process.env.PAGE_SPEED_RUNS ?? 5);
const email = process.env.PAGE_SPEED_USER;
const password = process.env.PAGE_SPEED_PASSWORD;
const sp = process.env.PAGE_SPEED_SP;
if (!base || !email || !password || !sp || !(runs > 0)) {
  console.error('run through scripts/page-speed.sh (PAGE_SPEED_URL, _USER, _PASSWORD, _SP, _RUNS)');
  process.exit(2);
}
const pages = [
  { name: 'dashboard', path: '/' },
  { name: 'consumption 30d', path: `/consumption?sp=${sp}&range=30d` },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

// Sign in once through the form; every measured context starts from this cookie alone.
const signIn = await browser.newContext();
const page0 = await signIn.newPage();
await page0.goto(`${base}/login`);
await page0.getByLabel('Email address').fill(email);
await page0.getByLabel('Password').fill(password);
await page0.getByRole('button', { name: 'Sign in' }).click();
await page0.waitForURL((u) => u.pathname !== '/login');
const { cookies } = await signIn.storageState();
await signIn.close();

function observe() {
  window.__lcp = null;
  window.__hydrated = null;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new MutationObserver(() => {
    if (window.__hydrated === null && document.documentElement?.dataset.hydrated === 'true') {
      window.__hydrated = performance.now();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
}

/** Loads (or reloads) and returns the page's figures. */
async function measure(page, net, load) {
  net.clear();
  await load();
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { lcp: window.__lcp, hydrated: window.__hydrated, ttfb: nav.responseStart, status: nav.responseStatus };
  });
  if (m.status !== 200) throw new Error(`${page.url()} answered ${m.status}`);
  if (m.lcp === null) throw new Error(`no largest-contentful-paint entry on ${page.url()}`);
  let html = 0, other = 0, fetched = 0;
  for (const r of net.values()) {
    if (r.type === 'Document') html += r.bytes;
    else other += r.bytes;
    if (r.bytes > 0) fetched += 1;
  }
  if (process.env.PAGE_SPEED_VERBOSE) {
    for (const r of net.values()) console.error(`  ${r.type} ${r.bytes} B ${r.url}`);
  }
  return { ...m, html, other, fetched, requests: net.size };
}

async function run(path) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  await context.addCookies(cookies);
  await context.addInitScript(observe);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const net = new Map();
  cdp.on('Network.requestWillBeSent', (e) => net.set(e.requestId, { url: e.request.url, type: e.type, bytes: 0 }));
  cdp.on('Network.loadingFinished', (e) => {
    const r = net.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  });
  const cold = await measure(page, net, () => page.goto(`${base}${path}`));
  if (new URL(page.url()).pathname === '/login') throw new Error('the session was not accepted');
  const warm = await measure(page, net, () => page.reload());
  await context.close();
  return { cold, warm };
}

const results = new Map(pages.map((p) => [p.name, { cold: [], warm: [] }]));
for (let i = 0; i < runs; i++) {
  for (const p of pages) {
    const r = await run(p.path);
    results.get(p.name).cold.push(r.cold);
    results.get(p.name).warm.push(r.warm);
  }
}
await browser.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${Math.round(x)} ms`;
const bytes = (x) => x.toLocaleString('en-GB') + ' B';

console.log(`Medians of ${runs} run(s) per row; LCP and hydrated from navigation start.`);
console.log('');
console.log('| Page | Cache | TTFB | LCP | Hydrated | HTML | Besides the HTML | Requests (from the network) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const p of pages) {
  for (const state of ['cold', 'warm']) {
    const rs = results.get(p.name)[state];
    const f = (k) => median(rs.map((r) => r[k]));
    const label = state === 'cold' ? 'cold' : 'warm (reload)';
    console.log(
      `| ${p.name} | ${label} | ${ms(f('ttfb'))} | ${ms(f('lcp'))} | ${ms(f('hydrated'))} | ` +
        `${bytes(f('html'))} | ${bytes(f('other'))} | ${f('requests')} (${f('fetched')}) |`,
    );
  }
}
