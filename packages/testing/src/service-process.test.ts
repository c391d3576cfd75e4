import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { disposeLeftovers, leftoverCount } from './leftovers.js';
import { freePort } from './ports.js';
import {
  DIST_ENTRY,
  serviceEntry,
  startService,
  ServiceProcess,
  TSX_ENTRY,
  type ServiceOptions,
} from './service-process.js';

/**
 * A small real service: logs a JSON line and a plain one, answers /ready once listening, and
 * behaves on SIGTERM as MODE says (`stubborn` ignores it; `crash` dies before listening).
 */
const SERVICE = `
const http = require('node:http');
const mode = process.env.MODE ?? '';
console.log(JSON.stringify({ level: 30, msg: 'starting', env: Object.keys(process.env).sort() }));
console.error('a plain line on stderr');
if (mode === 'crash') { process.stderr.write('boom, without a newline'); process.exit(3); }
const server = http.createServer((req, res) => {
  res.writeHead(mode === 'never-ready' ? 503 : 200).end();
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  if (mode === 'stubborn') { console.log('ignoring SIGTERM'); return; }
  console.log('stopping');
  server.close(() => process.exit(0));
});
`;

async function options(overrides: Partial<ServiceOptions> = {}): Promise<ServiceOptions> {
  const port = overrides.port ?? (await freePort());
  return {
    name: 'tiny',
    cwd: tmpdir(),
    entry: ['-e', SERVICE],
    readyTimeoutMs: 10_000,
    ...overrides,
    port,
    env: { PORT: String(port), ...overrides.env },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('service processes', () => {
  const dirs: string[] = [];
  afterEach(disposeLeftovers);
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('starts on its port, is ready, keeps its output, and stops on SIGTERM', async () => {
    const service = await startService(await options());
    expect(alive(service.pid)).toBe(true);
    expect((await fetch(`${service.baseUrl}/ready`)).status).toBe(200);
    expect(service.lines).toContain('a plain line on stderr');
    expect(service.logEntries().map((e) => e.msg)).toEqual(['starting']);
    expect(leftoverCount()).toBe(1);

    expect(await service.stop()).toEqual({ code: 0, signal: null });
    expect(service.lines.at(-1)).toBe('stopping');
    expect(alive(service.pid)).toBe(false);
    expect(leftoverCount()).toBe(0);
  });

  it('passes on only the environment it is given, plus what Node needs', async () => {
    process.env.OMS_NOT_FOR_CHILDREN = 'secret';
    try {
      const service = await startService(await options({ env: { EXTRA: '1' } }));
      const [entry] = service.logEntries();
      expect(entry?.env).toEqual(expect.arrayContaining(['EXTRA', 'PATH', 'PORT']));
      expect(entry?.env).not.toContain('OMS_NOT_FOR_CHILDREN');
    } finally {
      delete process.env.OMS_NOT_FOR_CHILDREN;
    }
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const service = await startService(await options({ env: { MODE: 'stubborn' } }));
    expect(await service.kill('SIGTERM', 300)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(service.lines).toContain('ignoring SIGTERM');
  });

  it('rejects with its last output when it exits before it is ready, leaving nothing behind', async () => {
    const failure = await startService(await options({ env: { MODE: 'crash' } })).catch(
      (error: unknown) => error,
    );
    expect(String(failure)).toMatch(
      /tiny exited \(\{"code":3,"signal":null\}\) before it was ready/,
    );
    expect(String(failure)).toContain('boom, without a newline');
    expect(leftoverCount()).toBe(0);
  });

  it('kills one that is not ready in time and says what readiness answered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oms-testing-'));
    dirs.push(dir);
    const logFile = join(dir, 'logs', 'never.log');
    // Long enough for the program to start listening and answer 503 on a loaded machine
    // (Node alone took over half a second to start beside a CPU hog).
    const failure = await startService(
      await options({ env: { MODE: 'never-ready' }, readyTimeoutMs: 5_000, logFile }),
    ).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/tiny was not ready after 5000 ms \(GET .*\/ready: HTTP 503\)/);
    expect(String(failure)).toContain(logFile);
    expect(leftoverCount()).toBe(0);
    // Its whole output went to the log file, as written.
    expect(await readFile(logFile, 'utf8')).toContain('a plain line on stderr\n');
  });

  it('disposes of a service still running with the other leftovers', async () => {
    const service = await startService(await options());
    await disposeLeftovers();
    expect(service.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(alive(service.pid)).toBe(false);
  });

  it('builds the handle a caller asks for, which adds to it', async () => {
    class WithHealth extends ServiceProcess {
      get healthUrl(): string {
        return `${this.baseUrl}/health`;
      }
    }
    const service = await startService(await options({ readyPath: '/health' }), WithHealth);
    expect(service).toBeInstanceOf(WithHealth);
    expect((await fetch(service.healthUrl)).status).toBe(200);
  });

  it('rejects when the program cannot be started at all', async () => {
    const failure = await startService(
      await options({ cwd: join(tmpdir(), 'oms-no-such-folder') }),
    ).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/ENOENT/);
    expect(leftoverCount()).toBe(0);
  });
});

describe('serviceEntry', () => {
  let root = '';
  afterAll(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  /** Writes `path` under the workspace with its modification time `at` seconds after 2000. */
  async function file(path: string, at: number, text = '') {
    const full = join(root, path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, text);
    const when = 946_684_800 + at;
    await utimes(full, when, when);
  }

  it('runs the bundle only while it is newer than every source it is built from', async () => {
    root = await mkdtemp(join(tmpdir(), 'oms-entry-'));
    const service = join(root, 'service');
    await file(
      'service/package.json',
      0,
      JSON.stringify({
        dependencies: { '@oms/dep': 'workspace:*', other: '^1.0.0' },
        devDependencies: { '@oms/bundled': 'workspace:*' },
      }),
    );
    await file('service/src/main.ts', 10);
    await file('service/build.config.ts', 10);
    await file('dep/package.json', 0, '{}');
    await file('dep/src/lib/rule.ts', 20);
    // Reached only through the bundled package: dependencies are followed all the way down.
    await file(
      'bundled/package.json',
      0,
      JSON.stringify({ dependencies: { '@oms/deep': 'workspace:*' } }),
    );
    await file('bundled/src/index.ts', 20);
    await file('deep/package.json', 0, '{}');
    await file('deep/src/index.ts', 20);
    await mkdir(join(service, 'node_modules', '@oms'), { recursive: true });
    await mkdir(join(root, 'bundled', 'node_modules', '@oms'), { recursive: true });
    for (const name of ['dep', 'bundled']) {
      await symlink(join(root, name), join(service, 'node_modules', '@oms', name));
    }
    await symlink(join(root, 'deep'), join(root, 'bundled', 'node_modules', '@oms', 'deep'));

    expect(serviceEntry(service), 'no bundle').toEqual(TSX_ENTRY);
    await file('service/dist/main.js', 30);
    expect(serviceEntry(service), 'bundle built after every source').toEqual(DIST_ENTRY);
    await file('service/src/main.test.ts', 40);
    expect(serviceEntry(service), 'a test file is not built into it').toEqual(DIST_ENTRY);
    await file('dep/src/lib/rule.ts', 50);
    expect(serviceEntry(service), 'a dependency edited after the build').toEqual(TSX_ENTRY);
    await file('service/dist/main.js', 60);
    await file('deep/src/index.ts', 70);
    expect(serviceEntry(service), "a devDependency's dependency edited").toEqual(TSX_ENTRY);
    await file('service/dist/main.js', 80);
    await file('service/build.config.ts', 90);
    expect(serviceEntry(service), 'its build script edited after the build').toEqual(TSX_ENTRY);
    await file('service/dist/main.js', 100);
    await file('service/package.json', 110, '{}');
    expect(serviceEntry(service), 'its manifest edited after the build').toEqual(TSX_ENTRY);
  });
});
