import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// kubectl 1.21 and later embed kustomize v4 or v5; older ones (Debian bookworm's kubectl is 1.20,
// with kustomize v2) reject `labels`, `replicas`, `patches` and directories under `resources`.
const MIN_KUSTOMIZE_MAJOR = 4;

/** Returns kubectl's kustomize version, or throws when it is missing or too old for the manifests. */
export async function checkKustomize(kubectl: string): Promise<string> {
  let output: string;
  try {
    output = (await run(kubectl, ['version', '--client'])).stdout;
  } catch (error) {
    throw new Error(`cannot run ${kubectl} (set KUBECTL to a kubectl 1.21 or later)`, {
      cause: error,
    });
  }
  const version = /Kustomize Version: v(\d+)\.(\S+)/.exec(output);
  const major = Number(version?.[1] ?? 0);
  if (major < MIN_KUSTOMIZE_MAJOR) {
    throw new Error(
      `${kubectl} embeds kustomize older than v${MIN_KUSTOMIZE_MAJOR} (${output.trim().split('\n')[0] ?? ''}); ` +
        'use kubectl 1.21 or later, or set KUBECTL to one',
    );
  }
  return `v${version?.[1] ?? ''}.${version?.[2] ?? ''}`;
}

/**
 * Renders a kustomization folder as `kubectl apply -k` would send it. Anything kustomize says on
 * stderr (a deprecation, a warning) fails the rendering too, so that it is fixed while it is small.
 */
export async function renderKustomization(kubectl: string, folder: string): Promise<string> {
  let result: { stdout: string; stderr: string };
  try {
    result = await run(kubectl, ['kustomize', folder], { maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`kubectl kustomize ${folder} failed: ${stderr || String(error)}`, {
      cause: error,
    });
  }
  if (result.stderr.trim() !== '') {
    throw new Error(`kubectl kustomize ${folder} warned: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
