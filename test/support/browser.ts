// A real Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core (never a downloaded browser).
// Without it the tests are skipped with the reason shown; with LATCHKEY_REQUIRE_ALL=1 they fail instead.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM_PATH = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** `describe` for tests that need Chromium: skipped (with the reason in the name) or failing under LATCHKEY_REQUIRE_ALL=1. */
export function describeBrowser(name: string, body: () => void): void {
  if (chromiumAvailable) {
    describe(name, body);
    return;
  }
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set LATCHKEY_CHROMIUM)`;
  if (process.env.LATCHKEY_REQUIRE_ALL === '1') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${reason}; LATCHKEY_REQUIRE_ALL=1 forbids skipping`);
      });
    });
  } else {
    describe.skip(`${name} [skipped: ${reason}]`, body);
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

/** Saves a full-page screenshot as a test artefact (test-results/ is gitignored). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
