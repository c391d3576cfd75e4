import { existsSync } from 'node:fs';

/** Debian's `chromium` package puts its launcher here; `.ci/run` installs it. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium to drive. Playwright cannot download its own browser on every machine we run on,
 * so a system one is preferred: `CHROMIUM_PATH` when set, else Debian's, else Playwright's own
 * (undefined lets Playwright pick its bundled build).
 */
export function chromiumExecutable(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured !== undefined && configured !== '') {
    if (!exists(configured)) {
      throw new Error(`CHROMIUM_PATH is ${JSON.stringify(configured)}, but there is no such file`);
    }
    return configured;
  }
  return exists(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

/**
 * Flags for a headless Chromium in a container: no sandbox (often unavailable to root in
 * containers), no GPU, and none of the background traffic (updates, sync, QUIC probes) that
 * slows a run down or makes it reach for the internet.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
] as const;
