import { defineConfig } from '@playwright/test';

// Chromium comes from Debian (/usr/bin/chromium); Playwright never downloads a browser here.
const port = process.env.PORTAL_E2E_PORT ?? '3100';
const baseURL = `http://127.0.0.1:${port}`;
const serverBin = process.env.PORTAL_SERVER_BIN;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
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
    },
  },
  // The second-factor journey enrols the account manager's authenticator, so it runs first; the
  // other specs sign staff in with codes from the authenticators enrolled (tests/helpers.ts).
  projects: [
    {
      name: 'mfa',
      testMatch: /mfa\.spec\.ts$/,
      use: { browserName: 'chromium', viewport: { width: 1360, height: 900 } },
    },
    {
      name: 'chromium',
      testIgnore: /(mfa|nojs)\.spec\.ts$/,
      dependencies: ['mfa'],
      use: { browserName: 'chromium', viewport: { width: 1360, height: 900 } },
    },
    // Every page with JavaScript switched off: no script runs, inline or not (issue 12).
    {
      name: 'nojs',
      testMatch: /nojs\.spec\.ts$/,
      dependencies: ['mfa'],
      use: { browserName: 'chromium', viewport: { width: 1360, height: 900 }, javaScriptEnabled: false },
    },
  ],
  // The test script builds the site and passes the server binary; Playwright starts it and waits
  // until /healthz answers 200 (which needs the database too).
  webServer: serverBin
    ? {
        command: `${serverBin} serve`,
        url: `${baseURL}/healthz`,
        timeout: 60_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
        env: {
          LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
          LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? '../target/site',
          LEPTOS_OUTPUT_NAME: 'ic-portal',
          DATABASE_URL: process.env.DATABASE_URL ?? '',
          RUST_LOG: 'warn',
          // E-mail goes to the local SMTP sink the test script starts (scripts/mail.sh); the
          // tests read it from PORTAL_MAILDIR and follow its links.
          SMTP_HOST: process.env.SMTP_HOST ?? '127.0.0.1',
          SMTP_PORT: process.env.SMTP_PORT ?? '2525',
          SMTP_TLS: 'none',
          PUBLIC_BASE_URL: baseURL,
        },
      }
    : undefined,
});
