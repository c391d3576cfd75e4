// @vitest-environment node
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialJsBudget, measureInitialJs } from './initial-js-budget.js';

/** Text that gzip cannot shrink much, so sizes differ clearly between chunks. */
function noise(bytes: number, seed: number): string {
  let state = seed;
  let text = '';
  while (text.length < bytes) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    text += state.toString(36);
  }
  return `export const data = ${JSON.stringify(text.slice(0, bytes))};\n`;
}

/** The fields of a rollup chunk that the measurement reads; the rest are irrelevant here. */
function chunk(
  fileName: string,
  code: string,
  links: { isEntry?: boolean; imports?: string[]; dynamicImports?: string[] } = {},
): Rollup.OutputChunk {
  const fields: Partial<Rollup.OutputChunk> = {
    type: 'chunk',
    fileName,
    name: fileName.replace(/\.js$/, ''),
    code,
    isEntry: links.isEntry ?? false,
    isDynamicEntry: false,
    imports: links.imports ?? [],
    dynamicImports: links.dynamicImports ?? [],
  };
  return fields as Rollup.OutputChunk;
}

function asset(fileName: string, source: string): Rollup.OutputAsset {
  const fields: Partial<Rollup.OutputAsset> = {
    type: 'asset',
    fileName,
    names: [fileName],
    source,
  };
  return fields as Rollup.OutputAsset;
}

function bundleOf(...outputs: (Rollup.OutputChunk | Rollup.OutputAsset)[]): Rollup.OutputBundle {
  return Object.fromEntries(outputs.map((o) => [o.fileName, o]));
}

const entryCode = `import './shared.js';\nconst ide = () => import('./ide.js');\n${noise(2_000, 1)}`;
const sharedCode = noise(3_000, 2);
const ideCode = noise(50_000, 3);

describe('measureInitialJs', () => {
  const bundle = bundleOf(
    chunk('assets/index.js', entryCode, {
      isEntry: true,
      imports: ['assets/shared.js'],
      dynamicImports: ['assets/ide.js'],
    }),
    chunk('assets/shared.js', sharedCode),
    { ...chunk('assets/ide.js', ideCode, { imports: ['assets/shared.js'] }), isDynamicEntry: true },
    asset('assets/index.css', 'body{}'.repeat(10_000)),
  );

  it('counts the entry and what it imports statically, not what it loads on demand', () => {
    const report = measureInitialJs(bundle);
    expect(report.files.map((f) => f.fileName).sort()).toEqual([
      'assets/index.js',
      'assets/shared.js',
    ]);
  });

  it('reports gzipped sizes that add up to the total', () => {
    const report = measureInitialJs(bundle);
    for (const file of report.files) expect(file.gzipBytes).toBeGreaterThan(0);
    expect(report.gzipBytes).toBe(report.files.reduce((sum, f) => sum + f.gzipBytes, 0));
    // Gzipped, not raw: well below the raw size for compressible code...
    const raw = entryCode.length + sharedCode.length;
    expect(report.gzipBytes).toBeLessThan(raw);
    // ...and what a server sends for the two files (gzip at its default level).
    expect(report.gzipBytes).toBe(gzipSync(entryCode).length + gzipSync(sharedCode).length);
  });

  it('follows static imports through several levels, counting a shared chunk once', () => {
    const deep = bundleOf(
      chunk('a.js', 'import "./b.js"; import "./c.js";', {
        isEntry: true,
        imports: ['b.js', 'c.js'],
      }),
      chunk('b.js', 'import "./c.js";', { imports: ['c.js'] }),
      chunk('c.js', 'import "./a.js";', { imports: ['a.js'] }),
      chunk('lazy.js', 'export {}', { imports: ['c.js'] }),
    );
    const report = measureInitialJs(deep);
    expect(report.files.map((f) => f.fileName).sort()).toEqual(['a.js', 'b.js', 'c.js']);
  });

  it('reports nothing for a bundle without an entry', () => {
    expect(measureInitialJs(bundleOf(chunk('lazy.js', 'export {}')))).toEqual({
      files: [],
      gzipBytes: 0,
    });
  });
});

describe('initialJsBudget in a real vite build', () => {
  let root = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'initial-js-budget-'));
    await writeFile(
      join(root, 'index.html'),
      '<!doctype html><html><body><script type="module" src="/main.js"></script></body></html>',
    );
    await writeFile(
      join(root, 'main.js'),
      [
        "import { data } from './shared.js';",
        'document.body.dataset.size = String(data.length);',
        "document.body.onclick = () => import('./ide.js').then((m) => console.log(m.data.length));",
      ].join('\n'),
    );
    await writeFile(join(root, 'shared.js'), noise(20_000, 4));
    await writeFile(join(root, 'ide.js'), noise(400_000, 5));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function buildWith(limitKb: number) {
    const messages: string[] = [];
    // Vite hands plugin logs to the custom logger even when it prints nothing itself.
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [initialJsBudget({ limitKb })],
      build: { write: false, minify: false },
      customLogger: {
        info: (msg) => messages.push(msg),
        warn: (msg) => messages.push(msg),
        warnOnce: (msg) => messages.push(msg),
        error: (msg) => messages.push(msg),
        clearScreen: () => undefined,
        hasErrorLogged: () => false,
        hasWarned: false,
      },
    });
    return messages;
  }

  it('passes a build whose eager code fits, however large the lazy chunk', async () => {
    // The IDE stand-in alone gzips to well over 100 kB; the eager part to under 20 kB.
    const messages = await buildWith(100);
    const report = messages.find((m) => m.includes('initial JavaScript'));
    expect(report).toMatch(/of 100 kB/);
    expect(report).toMatch(/assets\/index-[\w-]+\.js/);
    expect(report).not.toMatch(/ide/);
  });

  it('fails a build whose eager code is above the budget', async () => {
    await expect(buildWith(5)).rejects.toThrow(/above the 5 kB budget/);
  });
});
