/**
 * Where browser-setup.ts tells the test workers which Chromium it found or got; they inherit
 * the environment of the process that ran it.
 */
export const CHROMIUM_FOR_RUN = 'E2E_CHROMIUM_PATH';

/** The Chromium found for this run (set once browser-setup.ts has run). */
export function chromiumForRun(): string | undefined {
  const path = process.env[CHROMIUM_FOR_RUN];
  return path === undefined || path === '' ? undefined : path;
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
