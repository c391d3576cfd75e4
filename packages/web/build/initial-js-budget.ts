import { gzipSync } from 'node:zlib';
import type { Plugin, Rollup } from 'vite';

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

export interface InitialJsReport {
  /** Chunks loaded before the app can render: the entry and everything it imports statically. */
  files: { fileName: string; gzipBytes: number }[];
  gzipBytes: number;
}

/**
 * The JavaScript a first visit downloads: the entry chunk and its static imports, gzipped.
 * Dynamic imports (the GraphQL IDE) are left out on purpose: they load only when used.
 */
export function measureInitialJs(bundle: OutputBundle): InitialJsReport {
  const chunks = new Map<string, OutputChunk>();
  for (const output of Object.values(bundle)) {
    if (output.type === 'chunk') chunks.set(output.fileName, output);
  }
  const seen = new Set<string>();
  const queue = [...chunks.values()].filter((c) => c.isEntry).map((c) => c.fileName);
  while (queue.length > 0) {
    const name = queue.shift();
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    queue.push(...(chunks.get(name)?.imports ?? []));
  }
  const files = [...seen].map((fileName) => ({
    fileName,
    gzipBytes: gzipSync(chunks.get(fileName)?.code ?? '').length,
  }));
  return { files, gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}

/** Reports the initial JavaScript after every build and fails the build above the limit. */
export function initialJsBudget(options: { limitKb: number }): Plugin {
  return {
    name: 'initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const report = measureInitialJs(bundle);
      const kb = (report.gzipBytes / 1024).toFixed(1);
      const detail = report.files.map(
        (f) => `  ${f.fileName}: ${(f.gzipBytes / 1024).toFixed(1)} kB`,
      );
      this.info(
        `initial JavaScript (gzip, without lazily loaded chunks): ${kb} kB of ${options.limitKb} kB\n${detail.join('\n')}`,
      );
      if (report.gzipBytes > options.limitKb * 1024) {
        this.error(
          `initial JavaScript is ${kb} kB gzipped, above the ${options.limitKb} kB budget`,
        );
      }
    },
  };
}
