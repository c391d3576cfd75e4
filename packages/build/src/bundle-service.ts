import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import {
  build,
  type BuildFailure,
  type OutputFile,
  type PartialMessage,
  type Plugin,
} from 'esbuild';
import { renamedClasses } from './class-names.js';

// `main.js` in it sits as deep as `src/main.ts`.
const OUT_DIR = 'dist';

// CommonJS packages inlined into an ES module still call `require` for Node's built-ins, which
// esbuild's stand-in refuses unless a real `require` is in scope.
const REQUIRE_IN_SCOPE =
  "import { createRequire as __bundleCreateRequire } from 'node:module';\n" +
  'const require = __bundleCreateRequire(import.meta.url);';

interface Manifest {
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** What `bundleService` may accept in the npm code it inlines. */
export interface BundleOptions {
  /**
   * Inlined npm packages whose code names its own location (`__dirname`, `__filename`,
   * `import.meta`, `require.resolve`), which in the bundle would not be the package's folder,
   * each with the reason that is harmless. Any other such package fails the build, as does an
   * entry here that no inlined code needs.
   */
  selfLocating?: Readonly<Record<string, string>>;
}

/**
 * `selfLocating` entries for a service that logs with pino to stdout: only pino's transports,
 * which run a worker script from pino's folder, locate files, and a service without transports
 * never loads them.
 */
export const PINO_WITHOUT_TRANSPORTS: Readonly<Record<string, string>> = {
  pino: 'finds its transport worker by __dirname; no transport is configured',
  'thread-stream': 'starts the transport worker by __dirname; only transports use it',
};

/**
 * Bundles `src/main.ts` of the service in `packageDir` into `dist/main.js`, run in production as
 * `node dist/main.js`. Workspace packages and the npm packages in devDependencies are inlined, so
 * start-up reads one file instead of hundreds; the npm packages in `dependencies` stay in
 * node_modules, where their own files (PGlite's WebAssembly, for one) are found. Legacy
 * decorators follow each package's tsconfig.json, as under tsx. Resolves to the errors the build
 * reported and printed; none means the bundle was written, and any means nothing was.
 */
export async function bundleService(
  packageDir: string,
  options: BundleOptions = {},
): Promise<string[]> {
  const manifest = await readManifest(packageDir);
  const outdir = join(packageDir, OUT_DIR);
  await rm(outdir, { recursive: true, force: true });
  let written: OutputFile[];
  try {
    ({ outputFiles: written } = await build({
      absWorkingDir: packageDir,
      entryPoints: { main: 'src/main.ts' },
      outdir,
      bundle: true,
      // One file: with code splitting, esbuild gives `import()` of a CommonJS module only its
      // `default` (evanw/esbuild#3245). Modules reached by `import()` alone, such as the OTLP
      // exporter, are still evaluated only when first imported.
      splitting: false,
      platform: 'node',
      format: 'esm',
      target: 'node20.19',
      banner: { js: REQUIRE_IN_SCOPE },
      sourcemap: 'linked',
      // Stack traces need only the mappings; the images ship no TypeScript source, not even here.
      sourcesContent: false,
      logLevel: 'warning',
      // Written below, once every check of the output has passed.
      write: false,
      plugins: [
        runtimeImports(manifest),
        sourceRelativeUrls(outdir),
        inlinableNpmCode(options.selfLocating ?? {}),
        keptClassNames(),
      ],
    }));
  } catch (error) {
    if (isBuildFailure(error)) return error.errors.map((message) => message.text);
    throw error;
  }
  for (const file of written) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
  }
  return [];
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

/** The folder and name of the installed npm package a file belongs to; none for our own code. */
function npmPackageOf(file: string): { root: string; name: string } | undefined {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith('@') === true ? 2 : 1;
  return {
    root: parts.slice(0, at + 1 + length).join(sep),
    name: parts.slice(at + 1, at + 1 + length).join('/'),
  };
}

const error = (text: string): { errors: PartialMessage[] } => ({ errors: [{ text }] });

/**
 * Decides, for every package import, whether it is inlined or left to node_modules. The
 * service's package.json says which: `dependencies` are what the bundle imports at run time (all
 * that `pnpm deploy --prod` installs beside it), `devDependencies` are inlined with the
 * workspace packages. Our own code (the service's and its workspace packages') may import only
 * packages the service declares; an npm package's own imports are inlined from where it finds
 * them, except an optional peer that is not installed, which stays an import and fails only if
 * used, as it would from node_modules.
 */
function runtimeImports(manifest: Manifest): Plugin {
  const isWorkspace = (name: string) =>
    [manifest.dependencies[name], manifest.devDependencies[name]].some((spec) =>
      spec?.startsWith('workspace:'),
    );
  const manifests = new Map<string, Promise<ReadonlySet<string>>>();
  const optionalImportsOf = (root: string) => {
    let found = manifests.get(root);
    if (found === undefined) {
      found = readOptionalImports(root);
      manifests.set(root, found);
    }
    return found;
  };
  return {
    name: 'runtime-imports',
    setup(esbuild) {
      const resolving = Symbol('resolving');
      esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        const { path, importer } = args;
        if (isBuiltin(path)) return { external: true };
        if (args.pluginData === resolving) return undefined;
        const name = packageName(path);
        if (name in manifest.dependencies) {
          if (isWorkspace(name)) {
            return error(
              `${name} is inlined into the bundle: ${manifest.name} should list it in devDependencies, not dependencies`,
            );
          }
          return { external: true };
        }
        const owner = npmPackageOf(importer);
        if (owner === undefined) {
          if (name in manifest.devDependencies) return undefined;
          const from = relative(esbuild.initialOptions.absWorkingDir ?? '.', importer);
          return error(
            `${from} imports ${name}, which ${manifest.name} does not declare: list it in devDependencies to inline it into ${OUT_DIR}/main.js, or in dependencies to load it from node_modules`,
          );
        }
        if (!(await optionalImportsOf(owner.root)).has(name)) return undefined;
        const found = await esbuild.resolve(path, {
          kind: args.kind,
          importer,
          resolveDir: args.resolveDir,
          pluginData: resolving,
        });
        return found.errors.length === 0 ? undefined : { external: true };
      });
    },
  };
}

/** The packages an npm package may import without their being installed. */
async function readOptionalImports(root: string): Promise<ReadonlySet<string>> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  return new Set([
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional === true)
      .map(([name]) => name),
  ]);
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

const SELF_LOCATING = /\b(?:__dirname|__filename|import\.meta|require\.resolve)\b/;
// Block comments, and line comments that start a line or follow a space (not `http://`).
const COMMENTS = /\/\*[\s\S]*?\*\/|(?:^|\s)\/\/.*$/gm;

/**
 * Fails the build on inlined npm code that could not work from the bundle: a native addon, or
 * code that finds files next to itself (a worker script, a data file), whose location would be
 * `dist/` rather than its package folder. Such a package belongs in `dependencies`, unless
 * `selfLocating` names it with the reason its use is harmless.
 */
function inlinableNpmCode(selfLocating: Readonly<Record<string, string>>): Plugin {
  return {
    name: 'inlinable-npm-code',
    setup(esbuild) {
      const root = esbuild.initialOptions.absWorkingDir ?? '.';
      const acknowledged = new Set<string>();
      esbuild.onLoad({ filter: /\.node$/ }, ({ path }) => {
        const owner = npmPackageOf(path)?.name ?? relative(root, path);
        return error(
          `${owner} loads a native addon (${relative(root, path)}), which cannot be inlined: list ${owner} in dependencies`,
        );
      });
      esbuild.onLoad({ filter: /\.[cm]?js$/ }, async ({ path }) => {
        const owner = npmPackageOf(path);
        if (owner === undefined) return undefined;
        const code = await readFile(path, 'utf8');
        if (!SELF_LOCATING.test(code)) return undefined;
        const use = SELF_LOCATING.exec(code.replace(COMMENTS, ''))?.[0];
        if (use === undefined) return undefined;
        if (owner.name in selfLocating) {
          acknowledged.add(owner.name);
          return undefined;
        }
        return error(
          `${owner.name} uses ${use} (${relative(owner.root, path)}), which in the bundle would not name its own folder: list ${owner.name} in dependencies to load it from node_modules, or, if that code never runs or copes, name it in selfLocating with the reason`,
        );
      });
      esbuild.onEnd((result) => {
        if (result.errors.length > 0) return undefined;
        const stale = Object.keys(selfLocating).filter((name) => !acknowledged.has(name));
        return {
          errors: stale.map((name) => ({
            text: `selfLocating names ${name}, but no inlined code of it locates itself: remove the entry`,
          })),
        };
      });
    },
  };
}

/** Fails the build when a class of our code would carry another name in it (see renamedClasses). */
function keptClassNames(): Plugin {
  return {
    name: 'kept-class-names',
    setup(esbuild) {
      esbuild.onEnd(({ errors, outputFiles = [] }) => {
        if (errors.length > 0) return undefined;
        const root = esbuild.initialOptions.absWorkingDir ?? '.';
        return { errors: renamedClasses(outputFiles, root).map((text) => ({ text })) };
      });
    },
  };
}
