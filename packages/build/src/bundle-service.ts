import { readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join, relative, sep } from 'node:path';
import { build, type BuildFailure, type Plugin } from 'esbuild';

// `main.js` in it sits as deep as `src/main.ts`.
const OUT_DIR = 'dist';

interface Manifest {
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * Bundles `src/main.ts` of the service in `packageDir` into `dist/main.js`, run in production as
 * `node dist/main.js`. Workspace packages export TypeScript sources, so they are inlined; npm
 * packages stay in node_modules, where their own files (PGlite's WebAssembly, for one) are found.
 * Legacy decorators follow each package's tsconfig.json, as under tsx. Resolves to the errors
 * esbuild reported and printed; none means the bundle was written.
 */
export async function bundleService(packageDir: string): Promise<string[]> {
  const manifest = await readManifest(packageDir);
  const outdir = join(packageDir, OUT_DIR);
  await rm(outdir, { recursive: true, force: true });
  const bundled = build({
    absWorkingDir: packageDir,
    entryPoints: { main: 'src/main.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: 'linked',
    // Stack traces need only the mappings; the images ship no TypeScript source, not even here.
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [runtimeImports(manifest), sourceRelativeUrls(outdir)],
  });
  return bundled.then(
    () => [],
    (error: unknown) => {
      if (isBuildFailure(error)) return error.errors.map((message) => message.text);
      throw error;
    },
  );
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}

async function readManifest(packageDir: string): Promise<Manifest> {
  const parsed = JSON.parse(
    await readFile(join(packageDir, 'package.json'), 'utf8'),
  ) as Partial<Manifest>;
  return {
    name: parsed.name ?? packageDir,
    dependencies: parsed.dependencies ?? {},
    devDependencies: parsed.devDependencies ?? {},
  };
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * Inlines workspace packages and leaves the rest to be imported at run time. The bundle is run
 * from the service's package folder with only its production dependencies installed, so every
 * npm package it imports, including those its workspace packages import, must be one of them;
 * and workspace packages, being inlined, belong in devDependencies, or `pnpm deploy --prod`
 * would ship their sources.
 */
function runtimeImports(manifest: Manifest): Plugin {
  const isWorkspace = (name: string) =>
    [manifest.dependencies[name], manifest.devDependencies[name]].some((spec) =>
      spec?.startsWith('workspace:'),
    );
  return {
    name: 'runtime-imports',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
        if (isBuiltin(path)) return { external: true };
        const name = packageName(path);
        const from = relative(esbuild.initialOptions.absWorkingDir ?? '.', importer);
        if (isWorkspace(name)) {
          if (name in manifest.dependencies) {
            return {
              errors: [
                {
                  text: `${name} is inlined into the bundle: ${manifest.name} should list it in devDependencies, not dependencies`,
                },
              ],
            };
          }
          return undefined;
        }
        if (name in manifest.dependencies) return { external: true };
        return {
          errors: [
            {
              text: `${from} imports ${name}, which is not in ${manifest.name}'s dependencies, so ${OUT_DIR}/main.js could not load it in production`,
            },
          ],
        };
      });
    },
  };
}

/**
 * Gives every bundled module the `import.meta.url` of its source file, expressed relative to the
 * bundle, so `new URL('../drizzle', import.meta.url)` finds the same folder from
 * `dist/main.js` as from the module's place under `src/`, however deep that is, and wherever the
 * package folder is copied to.
 */
function sourceRelativeUrls(outdir: string): Plugin {
  return {
    name: 'source-relative-urls',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.[cm]?tsx?$/ }, async ({ path }) => {
        if (path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        if (/import\.meta(?!\.url\b)/.test(source)) {
          return {
            errors: [
              {
                text: `${relative(esbuild.initialOptions.absWorkingDir ?? '.', path)}: only import.meta.url keeps its meaning in the bundle; derive paths from it`,
              },
            ],
          };
        }
        const fromBundle = relative(outdir, path).split(sep).join('/');
        return {
          contents: source.replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
          ),
          loader: path.endsWith('x') ? 'tsx' : 'ts',
        };
      });
    },
  };
}
