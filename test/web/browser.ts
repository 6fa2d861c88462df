import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, installed by `.ci/run` (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** True when there is no Chromium to drive: the browser suites skip, saying so, instead of failing. */
export const CHROMIUM_MISSING = !existsSync(CHROMIUM);
if (CHROMIUM_MISSING)
  console.warn(
    `skipping the web console browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  );

/** Where screenshots of each console page are kept for a reviewer (gitignored). */
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-output/screenshots');

/** Starts headless Chromium with no network side traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as `test-output/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
