import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The portal in Lambda mode: served by lambda_http under cargo-lambda's emulator
// (`cargo lambda watch`), which scripts/lambda-e2e.sh starts on PORTAL_E2E_PORT before running
// these tests; Playwright starts no server of its own.
export default defineConfig({
  ...base,
  testDir: './lambda',
  projects: [{ name: 'lambda', use: { ...base.use, browserName: 'chromium', viewport: { width: 1360, height: 900 } } }],
  webServer: undefined,
});
