import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (installed by `npm test`, passed in MESHPLANE_CHROMIUM), driven by
 * playwright-core: a real browser, never one Playwright downloads.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env['MESHPLANE_CHROMIUM'];
  if (!executablePath) throw new Error('MESHPLANE_CHROMIUM is not set: run the tests with `npm test`');
  return chromium.launch({
    executablePath,
    headless: true,
    // Tests run as root on CI, where Chromium's sandbox cannot start; nothing but our own app is loaded.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    timeout: 30_000,
  });
}

/** A fresh browser profile (its own sessionStorage) at a laptop-sized window, downloads allowed. */
export async function newSession(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 820 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}
