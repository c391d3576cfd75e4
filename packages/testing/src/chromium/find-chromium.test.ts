import { describe, expect, it } from 'vitest';
import { resolveChromium, type ChromiumProbes } from './find-chromium.js';

const DEBIAN = '/usr/bin/chromium';
const PLAYWRIGHTS = '/home/u/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';

interface Machine {
  configured?: string;
  /** Executables present before anything is done. */
  present?: string[];
  root?: boolean;
  aptGet?: boolean;
  /** Whether the internet lets Playwright's download through. */
  online?: boolean;
  /** Whether apt-get gets the package. */
  aptWorks?: boolean;
}

/**
 * A machine as the finder's probes see it: downloading and installing put the browser where
 * they would. Records what was attempted and what was said.
 */
function machine(m: Machine) {
  const files = new Set(m.present ?? []);
  const attempts: string[] = [];
  const said: string[] = [];
  const probes: ChromiumProbes = {
    configured: m.configured,
    debianPath: DEBIAN,
    playwrightPath: PLAYWRIGHTS,
    exists: (path) => files.has(path),
    isRoot: m.root ?? false,
    hasAptGet: m.aptGet ?? true,
    downloadPlaywrights: () => {
      attempts.push('download');
      if (m.online === true) files.add(PLAYWRIGHTS);
      return Promise.resolve(m.online === true);
    },
    installDebians: () => {
      attempts.push('apt-get');
      if (m.aptWorks !== false) files.add(DEBIAN);
      return Promise.resolve(m.aptWorks !== false);
    },
    say: (line) => said.push(line),
  };
  return { probes, attempts, said };
}

describe('finding a Chromium', () => {
  it('takes CHROMIUM_PATH first, whatever else is there', async () => {
    const { probes, attempts, said } = machine({
      configured: ' /opt/chrome/chrome ',
      present: ['/opt/chrome/chrome', DEBIAN, PLAYWRIGHTS],
    });
    expect(await resolveChromium(probes)).toEqual({
      ok: true,
      path: '/opt/chrome/chrome',
      from: 'CHROMIUM_PATH',
    });
    expect([attempts, said]).toEqual([[], []]);
  });

  it('fails in one line on a CHROMIUM_PATH with nothing there, rather than use another', async () => {
    const { probes, attempts } = machine({
      configured: '/nowhere/chrome',
      present: [DEBIAN],
      root: true,
    });
    const result = await resolveChromium(probes);
    expect(result).toEqual({
      ok: false,
      message:
        'CHROMIUM_PATH is "/nowhere/chrome", but no executable is there: point it at a ' +
        'Chromium, or unset it to let the tests find or get one.',
    });
    expect(attempts).toEqual([]);
  });

  it("takes Debian's before Playwright's, and an empty CHROMIUM_PATH counts as unset", async () => {
    const { probes, attempts } = machine({ configured: '', present: [DEBIAN, PLAYWRIGHTS] });
    expect(await resolveChromium(probes)).toMatchObject({ ok: true, path: DEBIAN, from: 'debian' });
    expect(attempts).toEqual([]);
  });

  it("takes Playwright's own when it was downloaded already", async () => {
    const { probes, attempts } = machine({ present: [PLAYWRIGHTS] });
    expect(await resolveChromium(probes)).toMatchObject({ path: PLAYWRIGHTS, from: 'playwright' });
    expect(attempts).toEqual([]);
  });
});

describe('getting a Chromium when there is none', () => {
  it("downloads Playwright's where the internet allows, saying so in one line", async () => {
    const { probes, attempts, said } = machine({ online: true, root: true });
    expect(await resolveChromium(probes)).toMatchObject({ path: PLAYWRIGHTS, from: 'playwright' });
    expect(attempts).toEqual(['download']);
    expect(said).toEqual([
      "No Chromium found: downloading Playwright's (playwright install chromium).",
    ]);
  });

  it("installs Debian's with apt-get as root when the download fails", async () => {
    const { probes, attempts, said } = machine({ online: false, root: true });
    expect(await resolveChromium(probes)).toEqual({ ok: true, path: DEBIAN, from: 'debian' });
    expect(attempts).toEqual(['download', 'apt-get']);
    expect(said).toHaveLength(2);
    expect(said[1]).toBe("Playwright's download failed: installing Debian's chromium (apt-get).");
  });

  it('does not trust a download that reported success but left nothing', async () => {
    const { probes, attempts } = machine({ root: true });
    probes.downloadPlaywrights = () => {
      attempts.push('download');
      return Promise.resolve(true);
    };
    expect(await resolveChromium(probes)).toMatchObject({ from: 'debian' });
    expect(attempts).toEqual(['download', 'apt-get']);
  });

  it('says in one line how to get one when it is not root and cannot download', async () => {
    const { probes, attempts } = machine({ online: false, root: false });
    const result = await resolveChromium(probes);
    expect(attempts).toEqual(['download']);
    expect(result.ok).toBe(false);
    const { message } = result as { message: string };
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^No Chromium for the browser tests: set CHROMIUM_PATH/);
    expect(message).toContain('apt-get install chromium');
    expect(message).toContain('playwright install chromium');
  });

  it('does not try apt-get where there is none, even as root', async () => {
    const { probes, attempts } = machine({ online: false, root: true, aptGet: false });
    expect(await resolveChromium(probes)).toMatchObject({ ok: false });
    expect(attempts).toEqual(['download']);
  });

  it('says so in one line when apt-get fails too', async () => {
    const { probes } = machine({ online: false, root: true, aptWorks: false });
    const result = await resolveChromium(probes);
    expect(result).toMatchObject({ ok: false });
    expect((result as { message: string }).message).toMatch(
      /^No Chromium for the browser tests, and apt-get did not install one: set CHROMIUM_PATH[^\n]*$/,
    );
  });
});
