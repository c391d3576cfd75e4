import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { resolveChromium, systemProbes } from '@oms/testing/chromium';
import { CHROMIUM_FOR_RUN } from './browser.js';

const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** Output of a download or an install, kept out of the terminal. */
const LOG_FILE = join(WEB_DIR, 'test-results', 'browser-setup.log');

/**
 * Moves the Debian lookup elsewhere: only for trying this set-up on a machine that has
 * Debian's Chromium, as if it had none.
 */
const DEBIAN_LOOKUP_OVERRIDE = 'E2E_DEBIAN_CHROMIUM_PATH';

/**
 * Playwright's first global setup: finds the Chromium to drive, or gets one (see
 * resolveChromium), before anything else starts. Where it cannot, the run ends here with one
 * line saying how to get one, instead of every test failing on its own.
 */
export default async function browserSetup(): Promise<void> {
  rmSync(LOG_FILE, { force: true });
  const debianPath = process.env[DEBIAN_LOOKUP_OVERRIDE];
  const result = await resolveChromium(
    systemProbes({
      configured: process.env.CHROMIUM_PATH,
      playwrightPath: chromium.executablePath(),
      playwrightCli: createRequire(import.meta.url).resolve('@playwright/test/cli'),
      logFile: LOG_FILE,
      ...(debianPath === undefined || debianPath === '' ? {} : { debianPath }),
    }),
  );
  if (!result.ok) {
    const tried = existsSync(LOG_FILE)
      ? ` (what was tried: ${relative(process.cwd(), LOG_FILE)})`
      : '';
    throw new BrowserSetupError(`${result.message}${tried}`);
  }
  process.env[CHROMIUM_FOR_RUN] = result.path;
}

/** A failure told in its message alone: where it was thrown would add nothing. */
class BrowserSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Browser setup';
    this.stack = `${this.name}: ${message}`;
  }
}
