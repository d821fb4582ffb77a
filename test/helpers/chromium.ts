/**
 * @file Headless Chromium for the browser tests: Debian's `chromium` (or CHROMIUM_PATH) driven by playwright-core,
 * with the flags this sandbox needs; the tests skip, saying why, where it is absent.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The browser binary. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Whether the browser tests can run here. */
export const hasChromium = existsSync(CHROMIUM);

/** Launches headless Chromium without background networking (the network is closed here). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
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
