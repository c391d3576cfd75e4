import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/** The files of an installed npm package: its package.json (`name` and `manifest`) and `files`. */
function npmPackage(
  name: string,
  manifest: Record<string, unknown>,
  files: Record<string, string>,
): Record<string, string> {
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ name, ...manifest }),
    ...files,
  };
  return Object.fromEntries(
    Object.entries(all).map(([path, text]) => [`node_modules/${name}/${path}`, text]),
  );
}

/** A service whose `src/main.ts` is `main` and that inlines one npm package, `name`. */
function serviceInlining(
  name: string,
  manifest: Record<string, unknown>,
  files: Record<string, string>,
  main: string,
): Promise<string> {
  return servicePackage(
    { devDependencies: { [name]: '^1.0.0' } },
    { ...npmPackage(name, manifest, files), 'src/main.ts': main },
  );
}

/** Runs the bundle in `folder` with Node; what it printed, trimmed. */
async function runBundle(folder: string): Promise<string> {
  const { stdout } = await run(process.execPath, [join(folder, 'dist/main.js')]);
  return stdout.trim();
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
    expect(await runBundle(folder)).toBe(join(folder, '.data'));
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
    expect(await runBundle(folder)).toBe('ID:id true true');
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
      'src/main.ts imports left-pad, which fixture does not declare: list it in devDependencies to inline it into dist/main.js, or in dependencies to load it from node_modules',
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

  it('inlines a devDependency, CommonJS included, so the bundle runs without node_modules', async () => {
    const folder = await serviceInlining(
      'shout',
      { main: 'index.js' },
      {
        'index.js':
          "const { sep } = require('node:path');\nmodule.exports = (text) => text.toUpperCase() + sep;\n",
      },
      "import shout from 'shout';\nconsole.log(shout('hi'));\n",
    );
    expect(await bundleService(folder)).toEqual([]);
    await rm(join(folder, 'node_modules'), { recursive: true });
    expect(await runBundle(folder)).toBe('HI/');
  });

  it('leaves a runtime dependency to node_modules when an inlined package imports it', async () => {
    const folder = await servicePackage(
      { dependencies: { engine: '^1.0.0' }, devDependencies: { driver: '^1.0.0' } },
      {
        ...npmPackage(
          'engine',
          { type: 'module' },
          {
            'index.js': "export const engine = 'from node_modules';\n",
          },
        ),
        ...npmPackage(
          'driver',
          { type: 'module' },
          {
            'index.js':
              "import { engine } from 'engine';\nexport const drive = () => `driven ${engine}`;\n",
          },
        ),
        'src/main.ts': "import { drive } from 'driver';\nconsole.log(drive());\n",
      },
    );
    expect(await bundleService(folder)).toEqual([]);
    expect(await readFile(join(folder, 'dist/main.js'), 'utf8')).toMatch(/from "engine"/);
    await rm(join(folder, 'node_modules/driver'), { recursive: true });
    expect(await runBundle(folder)).toBe('driven from node_modules');
  });

  it('evaluates a dynamically imported module when imported, its import.meta.url as from source', async () => {
    const folder = await servicePackage(
      {},
      {
        'src/main.ts':
          "console.log('before');\nconst { dataDir } = await import('./lazy/deep/paths.js');\nconsole.log(dataDir);\n",
        'src/lazy/deep/paths.ts':
          "import { fileURLToPath } from 'node:url';\n" +
          "console.log('loaded');\n" +
          "export const dataDir = fileURLToPath(new URL('../../../.data', import.meta.url));\n",
      },
    );
    expect(await bundleService(folder)).toEqual([]);
    expect((await readdir(join(folder, 'dist'))).sort()).toEqual(['main.js', 'main.js.map']);
    expect((await runBundle(folder)).split('\n')).toEqual([
      'before',
      'loaded',
      join(folder, '.data'),
    ]);
  });

  it('gives a dynamic import of a CommonJS package its named exports, as Node does', async () => {
    const folder = await serviceInlining(
      'exporter',
      { main: 'index.js' },
      {
        'index.js':
          "Object.defineProperty(exports, '__esModule', { value: true });\nexports.Exporter = class Exporter {};\n",
      },
      "const { Exporter } = await import('exporter');\nconsole.log(typeof Exporter);\n",
    );
    expect(await bundleService(folder)).toEqual([]);
    expect(await runBundle(folder)).toBe('function');
  });

  it('leaves an optional peer that is not installed to fail only when used, as from node_modules', async () => {
    const host = (peerDependenciesMeta: object) => ({
      ...npmPackage(
        'host',
        { type: 'module', peerDependencies: { absent: '*' }, peerDependenciesMeta },
        {
          // Unguarded, as type-graphql imports class-validator: only the call fails.
          'index.js':
            "export async function load() {\n  await import('absent');\n  return 'loaded';\n}\n",
        },
      ),
      'src/main.ts':
        "import { load } from 'host';\nconsole.log(await load().catch(() => 'not installed'));\n",
    });
    const optional = await servicePackage(
      { devDependencies: { host: '^1.0.0' } },
      host({ absent: { optional: true } }),
    );
    expect(await bundleService(optional)).toEqual([]);
    expect(await runBundle(optional)).toBe('not installed');

    const required = await servicePackage({ devDependencies: { host: '^1.0.0' } }, host({}));
    expect(await bundleService(required)).toEqual([expect.stringContaining('"absent"')]);
  });

  it('inlines a package with a CommonJS main and an ES module field once, however it is imported', async () => {
    const folder = await servicePackage(
      { devDependencies: { dual: '^1.0.0', user: '^1.0.0' } },
      {
        ...npmPackage(
          'dual',
          { main: 'index.js', module: 'index.mjs' },
          {
            'index.js': 'exports.copy = Symbol("main");\n',
            'index.mjs': 'export const copy = Symbol("module");\n',
          },
        ),
        ...npmPackage(
          'user',
          { main: 'index.js' },
          {
            'index.js': "exports.copy = require('dual').copy;\n",
          },
        ),
        'src/main.ts':
          "import { copy } from 'dual';\nimport user from 'user';\nconsole.log(copy === user.copy, copy.description);\n",
      },
    );
    expect(await bundleService(folder)).toEqual([]);
    expect(await runBundle(folder)).toBe('true main');
  });

  it('refuses inlined npm code that finds files by its own folder, unless told why that is harmless', async () => {
    const files = {
      ...npmPackage(
        'finder',
        { main: 'lib/find.js' },
        {
          'lib/find.js':
            "module.exports = () => require('node:path').join(__dirname, 'data.txt');\n",
        },
      ),
      ...npmPackage(
        'talker',
        { main: 'index.js' },
        {
          // Only a comment names it: no use to acknowledge.
          'index.js': '// unlike __dirname, this is constant\nmodule.exports = 1;\n',
        },
      ),
      'src/main.ts':
        "import find from 'finder';\nimport talker from 'talker';\nconsole.log(find, talker);\n",
    };
    const manifest = { devDependencies: { finder: '^1.0.0', talker: '^1.0.0' } };
    expect(await bundleService(await servicePackage(manifest, files))).toEqual([
      'finder uses __dirname (lib/find.js), which in the bundle would not name its own folder: list finder in dependencies to load it from node_modules, or, if that code never runs or copes, name it in selfLocating with the reason',
    ]);
    const told = await servicePackage(manifest, files);
    expect(await bundleService(told, { selfLocating: { finder: 'never called' } })).toEqual([]);
    expect(
      await bundleService(told, { selfLocating: { finder: 'never called', talker: 'stale' } }),
    ).toEqual([
      'selfLocating names talker, but no inlined code of it locates itself: remove the entry',
    ]);
  });

  it('refuses a native addon in an inlined package', async () => {
    const folder = await serviceInlining(
      'native',
      { main: 'index.js' },
      {
        'index.js': "module.exports = require('./binding.node');\n",
        'binding.node': 'not really machine code',
      },
      "import native from 'native';\nconsole.log(native);\n",
    );
    expect(await bundleService(folder)).toEqual([
      'native loads a native addon (node_modules/native/binding.node), which cannot be inlined: list native in dependencies',
    ]);
  });

  it('refuses a class of ours that the bundle would rename, and writes nothing', async () => {
    const folder = await serviceInlining(
      'shop',
      { type: 'module' },
      {
        'index.js':
          'export class Order {}\nexport const theirs = () => new Order().constructor.name;\n',
      },
      "import { theirs } from 'shop';\nexport class Order {}\nconsole.log(Order.name, theirs());\n",
    );
    expect(await bundleService(folder)).toEqual([
      'src/main.ts: class Order is named Order2 in the bundle, because an inlined module declares a Order too, and its name may be read at run time (type-graphql, error logs): rename ours, or name it explicitly where the name is read',
    ]);
    await expect(readdir(join(folder, 'dist'))).rejects.toThrow(/ENOENT/);
  });
});
