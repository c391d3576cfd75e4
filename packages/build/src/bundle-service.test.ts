import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleService } from './bundle-service.js';

const run = promisify(execFile);
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(
    folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })),
  );
});

/** A throw-away service package: its package.json fields and its files by path. */
async function servicePackage(
  manifest: Record<string, unknown>,
  files: Record<string, string>,
): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'oms-build-'));
  folders.push(folder);
  const all = {
    'package.json': JSON.stringify({ name: 'fixture', type: 'module', ...manifest }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), text);
  }
  return folder;
}

describe('bundleService', () => {
  it('resolves import.meta.url of a nested module as from its source file', async () => {
    const folder = await servicePackage(
      {},
      {
        'src/main.ts':
          "import { dataDir } from './config/nested/paths.js';\nconsole.log(dataDir);\n",
        'src/config/nested/paths.ts':
          "import { fileURLToPath } from 'node:url';\n" +
          "export const dataDir = fileURLToPath(new URL('../../../.data', import.meta.url));\n",
      },
    );
    expect(await bundleService(folder)).toEqual([]);
    const { stdout } = await run(process.execPath, [join(folder, 'dist/main.js')]);
    expect(stdout.trim()).toBe(join(folder, '.data'));
    await expect(readFile(join(folder, 'dist/main.js.map'), 'utf8')).resolves.toContain('paths.ts');
  });

  it('compiles legacy decorators as the package tsconfig.json asks, in rewritten modules too', async () => {
    const folder = await servicePackage(
      {},
      {
        'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
        'src/main.ts':
          'const seen: string[] = [];\n' +
          'const field = (name: string) => (_target: object, key: string) => { seen.push(`${name}:${key}`); };\n' +
          "class Order { @field('ID') id = ''; }\n" +
          'console.log(seen.join(), new Order().id === "", import.meta.url.endsWith("/src/main.ts"));\n',
      },
    );
    expect(await bundleService(folder)).toEqual([]);
    const { stdout } = await run(process.execPath, [join(folder, 'dist/main.js')]);
    expect(stdout.trim()).toBe('ID:id true true');
  });

  it('leaves a declared npm dependency to node_modules', async () => {
    const folder = await servicePackage(
      { dependencies: { 'left-pad': '^1.3.0' } },
      { 'src/main.ts': "import leftPad from 'left-pad';\nconsole.log(leftPad('1', 2));\n" },
    );
    expect(await bundleService(folder)).toEqual([]);
    expect(await readFile(join(folder, 'dist/main.js'), 'utf8')).toMatch(
      /import \w+ from "left-pad"/,
    );
  });

  it('refuses an npm package the service does not depend on', async () => {
    const folder = await servicePackage(
      { dependencies: {} },
      { 'src/main.ts': "import leftPad from 'left-pad';\nconsole.log(leftPad('1', 2));\n" },
    );
    const errors = await bundleService(folder);
    expect(errors).toEqual([
      "src/main.ts imports left-pad, which is not in fixture's dependencies, so dist/main.js could not load it in production",
    ]);
  });

  it('refuses a workspace package listed among the production dependencies', async () => {
    const folder = await servicePackage(
      { dependencies: { '@oms/lib': 'workspace:*' } },
      { 'src/main.ts': "import { x } from '@oms/lib';\nconsole.log(x);\n" },
    );
    expect(await bundleService(folder)).toEqual([
      '@oms/lib is inlined into the bundle: fixture should list it in devDependencies, not dependencies',
    ]);
  });

  it('refuses import.meta properties that would describe the bundle instead of the source', async () => {
    const folder = await servicePackage(
      {},
      { 'src/main.ts': 'console.log(import.meta.dirname);\n' },
    );
    const errors = await bundleService(folder);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(
      'src/main.ts: only import.meta.url keeps its meaning in the bundle; derive paths from it',
    );
  });
});
