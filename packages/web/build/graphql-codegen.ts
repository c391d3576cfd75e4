// `pnpm --filter @oms/web codegen` writes the SPA's GraphQL operation types; with `--check`
// (run by `pnpm typecheck`) it writes nothing and fails while the committed ones are stale.
// GraphQL Code Generator's client preset does the work; this file only feeds it orders-api's
// SDL and the `graphql()` documents under src, as its CLI would from a config file. The CLI
// itself is left out: its loaders for remote schemas pull in packages that need Node 22.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import { preset } from '@graphql-codegen/client-preset';
import { gqlPluckFromCodeStringSync } from '@graphql-tools/graphql-tag-pluck';
import type * as GraphQL from 'graphql';

// graphql 16 ships CommonJS and ESM copies, and each refuses the other's objects ("another
// module or realm"). Node hands the code generator the CommonJS one, so this file uses it too,
// also under Vitest, which would give a plain import the ESM copy.
const { buildSchema, parse, Source } = createRequire(import.meta.url)('graphql') as typeof GraphQL;

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = join(WEB_ROOT, 'src');
/** Where the generated files live, relative to the web package. */
const GENERATED_DIR = 'src/lib/graphql/generated/';
const SCHEMA_FILE = fileURLToPath(import.meta.resolve('@oms/orders-api/schema.graphql'));

const config = {
  // DateTime travels as ISO 8601 text, SafeInt as a JSON number (up to 2^53 - 1); any other
  // custom scalar is an error, not `any`.
  scalars: { DateTime: 'string', SafeInt: 'number' },
  strictScalars: true,
  enumType: 'string-literal',
  useTypeImports: true,
};

/** The `graphql()` documents written in the SPA's source files. */
async function operationDocuments() {
  const files = (await readdir(SOURCES, { recursive: true }))
    .map((file) => join(SOURCES, file))
    .filter((file) => /\.tsx?$/.test(file) && !file.startsWith(join(WEB_ROOT, GENERATED_DIR)))
    .sort();
  const documents = [];
  for (const file of files) {
    const sources = gqlPluckFromCodeStringSync(file, await readFile(file, 'utf8'), {
      globalGqlIdentifierName: ['graphql'],
      // The generated `graphql()` overloads are keyed by each document's exact text.
      skipIndent: true,
    });
    for (const source of sources) {
      documents.push({
        location: relative(WEB_ROOT, file),
        document: parse(new Source(source.body, source.name, source.locationOffset)),
        rawSDL: source.body,
      });
    }
  }
  return documents;
}

/** Every generated file, keyed by its path relative to the web package. */
export async function generateOperationTypes(): Promise<Map<string, string>> {
  const sdl = await readFile(SCHEMA_FILE, 'utf8');
  const outputs = await preset.buildGeneratesSection({
    baseOutputDir: GENERATED_DIR,
    schema: parse(sdl),
    schemaAst: buildSchema(sdl),
    documents: await operationDocuments(),
    plugins: [],
    pluginMap: {},
    config,
    presetConfig: { fragmentMasking: false, skipIndexFile: true },
    documentTransforms: [],
  });
  const files = new Map<string, string>();
  for (const output of outputs) files.set(output.filename, await codegen(output));
  return files;
}

/** The generated files whose committed text differs from what the generator makes now. */
export async function staleOperationTypes(): Promise<string[]> {
  const generated = await generateOperationTypes();
  const stale = [];
  for (const [file, content] of generated) {
    const committed = await readFile(join(WEB_ROOT, file), 'utf8').catch(() => undefined);
    if (committed !== content) stale.push(file);
  }
  // A file the generator no longer makes is stale too.
  for (const name of await readdir(join(WEB_ROOT, GENERATED_DIR))) {
    if (!generated.has(`${GENERATED_DIR}${name}`)) stale.push(`${GENERATED_DIR}${name}`);
  }
  return stale;
}

/** Writes the generated files, or with `check` only reports the stale ones; 1 on failure. */
async function main(check: boolean): Promise<number> {
  if (!check) {
    for (const [file, content] of await generateOperationTypes()) {
      await writeFile(join(WEB_ROOT, file), content);
      console.log(`wrote ${file}`);
    }
    return 0;
  }
  const stale = await staleOperationTypes();
  if (stale.length === 0) return 0;
  console.error(
    `stale GraphQL operation types (${stale.join(', ')}): run \`pnpm --filter @oms/web codegen\``,
  );
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // An invalid document (a field the schema no longer has) is the expected failure: one line.
  process.exitCode = await main(process.argv.includes('--check')).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  });
}
