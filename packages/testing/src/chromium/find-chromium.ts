import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Debian's `chromium` package puts its launcher here. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** How to get a browser by hand, for the line that says none could be had. */
const HOW_TO_GET_ONE =
  "set CHROMIUM_PATH to a Chromium, install Debian's (`apt-get install chromium`, as root), " +
  "or download Playwright's (`pnpm --filter @oms/web exec playwright install chromium`)";

/** What the finder looks at and may do; each one an input, so every path can be tried. */
export interface ChromiumProbes {
  /** CHROMIUM_PATH as set, if at all: the one to use, no other. */
  configured: string | undefined;
  /** Where Debian's launcher is. */
  debianPath: string;
  /** Where Playwright's own Chromium is once downloaded. */
  playwrightPath: string;
  /** Whether an executable file is at `path`. */
  exists(path: string): boolean;
  /** Whether this process runs as root, so may install a system package. */
  isRoot: boolean;
  /** Whether apt-get is there to install Debian's package with. */
  hasAptGet: boolean;
  /** Downloads Playwright's Chromium (`playwright install chromium`); resolves whether it worked. */
  downloadPlaywrights(): Promise<boolean>;
  /** `apt-get update`, then `apt-get install chromium`; resolves whether it worked. */
  installDebians(): Promise<boolean>;
  /** Tells the user, in one line, what is being done. */
  say(line: string): void;
}

/** A Chromium to drive, and where it came from; or one line saying why there is none. */
export type ChromiumResolution =
  | { ok: true; path: string; from: 'CHROMIUM_PATH' | 'debian' | 'playwright' }
  | { ok: false; message: string };

/**
 * Finds the Chromium for the browser tests: CHROMIUM_PATH when set, else Debian's, else
 * Playwright's own. When there is none it gets one: Playwright's download where the internet
 * allows it, else Debian's package when running as root. Each attempt is announced in one line.
 */
export async function resolveChromium(probes: ChromiumProbes): Promise<ChromiumResolution> {
  const configured = probes.configured?.trim();
  if (configured !== undefined && configured !== '') {
    return probes.exists(configured)
      ? { ok: true, path: configured, from: 'CHROMIUM_PATH' }
      : {
          ok: false,
          message:
            `CHROMIUM_PATH is ${JSON.stringify(configured)}, but no executable is there: ` +
            'point it at a Chromium, or unset it to let the tests find or get one.',
        };
  }
  const found = present(probes);
  if (found !== null) return found;

  probes.say("No Chromium found: downloading Playwright's (playwright install chromium).");
  if ((await probes.downloadPlaywrights()) && probes.exists(probes.playwrightPath)) {
    return { ok: true, path: probes.playwrightPath, from: 'playwright' };
  }
  if (probes.isRoot && probes.hasAptGet) {
    probes.say("Playwright's download failed: installing Debian's chromium (apt-get).");
    if ((await probes.installDebians()) && probes.exists(probes.debianPath)) {
      return { ok: true, path: probes.debianPath, from: 'debian' };
    }
    return {
      ok: false,
      message: `No Chromium for the browser tests, and apt-get did not install one: ${HOW_TO_GET_ONE}.`,
    };
  }
  return { ok: false, message: `No Chromium for the browser tests: ${HOW_TO_GET_ONE}.` };
}

function present(probes: ChromiumProbes): ChromiumResolution | null {
  if (probes.exists(probes.debianPath))
    return { ok: true, path: probes.debianPath, from: 'debian' };
  if (probes.exists(probes.playwrightPath)) {
    return { ok: true, path: probes.playwrightPath, from: 'playwright' };
  }
  return null;
}

/** Where this machine's probes look and write. */
export interface SystemProbeOptions {
  /** CHROMIUM_PATH as set. */
  configured: string | undefined;
  /** Playwright's `chromium.executablePath()`. */
  playwrightPath: string;
  /** Playwright's command line script (`@playwright/test/cli`), run with our own Node. */
  playwrightCli: string;
  /** File that receives the output of the download and the install, so the terminal does not. */
  logFile: string;
  /** Debian's launcher; DEBIAN_CHROMIUM unless a test of this set-up moves it. */
  debianPath?: string;
}

/**
 * Probes of this machine. A download that cannot connect gives up after 10 s (Playwright's
 * connection timeout), so a machine without the internet is told so quickly.
 */
export function systemProbes(options: SystemProbeOptions): ChromiumProbes {
  const exists = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  try {
    mkdirSync(dirname(options.logFile), { recursive: true });
  } catch {
    // Without a log the attempts still run; their output is then lost, not shown.
  }
  const isRoot = process.getuid?.() === 0;
  const log = (command: string, args: string[], env: Record<string, string> = {}) =>
    runLogged(command, args, options.logFile, env);
  return {
    configured: options.configured,
    debianPath: options.debianPath ?? DEBIAN_CHROMIUM,
    playwrightPath: options.playwrightPath,
    exists,
    isRoot,
    hasAptGet: exists('/usr/bin/apt-get'),
    // As root, with the system libraries it needs, which a fresh machine may lack.
    downloadPlaywrights: () =>
      log(
        process.execPath,
        [options.playwrightCli, 'install', ...(isRoot ? ['--with-deps'] : []), 'chromium'],
        {
          PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT:
            process.env.PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT ?? '10000',
        },
      ),
    installDebians: async () =>
      (await log('apt-get', ['update'])) &&
      log('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
        DEBIAN_FRONTEND: 'noninteractive',
      }),
    say: (line) => {
      process.stdout.write(`${line}\n`);
    },
  };
}

/**
 * Runs a command with its output appended to `logFile` (or dropped, when that cannot be
 * written); resolves whether it exited 0.
 */
function runLogged(
  command: string,
  args: string[],
  logFile: string,
  env: Record<string, string>,
): Promise<boolean> {
  let out: number | 'ignore' = 'ignore';
  try {
    out = openSync(logFile, 'a');
    writeSync(out, `$ ${command} ${args.join(' ')}\n`);
  } catch {
    // Without a log the attempt still runs.
  }
  return new Promise<boolean>((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out],
    });
    child.once('error', () => {
      resolve(false);
    });
    child.once('close', (code) => {
      resolve(code === 0);
    });
  }).finally(() => {
    if (out !== 'ignore') closeSync(out);
  });
}
