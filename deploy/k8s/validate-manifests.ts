// `pnpm validate:deploy`: renders the Kustomize base and the production overlay with kubectl,
// validates every object against the Kubernetes schemas, then checks the rules of
// manifest-rules.ts. Prints one line per problem and exits 1 if there is any; CI runs it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { checkKustomize, renderKustomization } from './kustomize.js';
import { consistencyProblems, productionProblems, type SettingsNames } from './manifest-rules.js';
import { parseManifests, type ManifestObject } from './manifests.js';
import { schemaProblems } from './schema-validation.js';
import { settingsNamesIn } from './settings-names.js';

const fromRoot = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const RENDERINGS = [
  { name: 'base', folder: 'deploy/k8s/base', production: false },
  { name: 'production', folder: 'deploy/k8s/overlays/production', production: true },
] as const;

// Each container's program, and the file that names every variable it reads.
const SETTINGS_SOURCES = [
  {
    container: 'orders-api',
    file: 'packages/orders-api/src/config/settings.ts',
    kind: 'settings-module',
  },
  {
    container: 'payments-api',
    file: 'packages/payments-api/src/config/env.ts',
    kind: 'settings-module',
  },
  { container: 'web', file: 'packages/web/deploy/default.conf.template', kind: 'nginx-template' },
] as const;

async function loadSettingsNames(): Promise<SettingsNames> {
  const entries = await Promise.all(
    SETTINGS_SOURCES.map(
      async ({ container, file, kind }) =>
        [container, settingsNamesIn(await readFile(fromRoot(file), 'utf8'), kind)] as const,
    ),
  );
  return new Map(entries);
}

function countByKind(objects: readonly ManifestObject[]): string {
  const counts = new Map<string, number>();
  for (const { kind } of objects) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}

async function main(): Promise<number> {
  // The one setting of this tool: which kubectl to run (CI may point it at one it fetched).
  const kubectl = process.env.KUBECTL?.trim() || 'kubectl';
  const kustomizeVersion = await checkKustomize(kubectl);
  const settings = await loadSettingsNames();
  let failed = false;
  for (const rendering of RENDERINGS) {
    const objects = parseManifests(await renderKustomization(kubectl, fromRoot(rendering.folder)));
    const problems = schemaProblems(objects);
    // The rules read fields whose types the schemas guarantee: only valid objects get that far.
    if (problems.length === 0) {
      problems.push(...consistencyProblems(objects, settings));
      if (rendering.production) problems.push(...productionProblems(objects));
    }
    if (objects.length === 0) problems.push('renders no objects');
    for (const problem of problems) console.error(`${rendering.name}: ${problem}`);
    failed ||= problems.length > 0;
    console.log(
      `${rendering.name} (${rendering.folder}): ${objects.length} objects (${countByKind(objects)}), ` +
        (problems.length === 0 ? 'all valid' : `${problems.length} problem(s)`),
    );
  }
  console.log(`rendered with ${kubectl} (kustomize ${kustomizeVersion})`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
