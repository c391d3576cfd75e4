// `pnpm validate:deploy`: renders the Kustomize base and the production overlay with kubectl,
// validates every object against the Kubernetes schemas, then checks the rules of
// manifest-rules.ts. Prints one line per problem and exits 1 if there is any; CI runs it.
import { fileURLToPath } from 'node:url';
import { checkKustomize, renderKustomization } from './kustomize.js';
import { consistencyProblems, productionProblems } from './manifest-rules.js';
import { parseManifests, type ManifestObject } from './manifests.js';
import { schemaProblems } from './schema-validation.js';
import { programSettingsNames } from './settings-names.js';

const fromRoot = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const RENDERINGS = [
  { name: 'base', folder: 'deploy/k8s/base', production: false },
  { name: 'production', folder: 'deploy/k8s/overlays/production', production: true },
] as const;

function countByKind(objects: readonly ManifestObject[]): string {
  const counts = new Map<string, number>();
  for (const { kind } of objects) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
}

async function main(): Promise<number> {
  // The one setting of this tool: which kubectl to run (CI may point it at one it fetched).
  const kubectl = process.env.KUBECTL?.trim() || 'kubectl';
  const kustomizeVersion = await checkKustomize(kubectl);
  const settings = await programSettingsNames();
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
