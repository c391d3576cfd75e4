import { readFile } from 'node:fs/promises';
import { settingsSchema as ordersSettings } from '@oms/orders-api/settings';
import { settingsSchema as paymentsSettings } from '@oms/payments-api/settings';
import type { SettingsNames } from './manifest-rules.js';

/**
 * The variables a service reads: the keys of its settings schema (its settings module is the
 * only reader of process.env, and its zod object is keyed by variable name).
 */
export function settingsNamesOf(schema: { readonly shape: object }): Set<string> {
  return new Set(Object.keys(schema.shape));
}

/** The variables the web image's nginx template reads: its `${NAME}` placeholders. */
export function nginxTemplateNames(source: string): Set<string> {
  return new Set([...source.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((match) => match[1] ?? ''));
}

const WEB_TEMPLATE = new URL('../../packages/web/deploy/default.conf.template', import.meta.url);

/** Each container's program and every variable it reads, for the manifests' consistency rules. */
export async function programSettingsNames(): Promise<SettingsNames> {
  return new Map([
    ['orders-api', settingsNamesOf(ordersSettings)],
    ['payments-api', settingsNamesOf(paymentsSettings)],
    ['web', nginxTemplateNames(await readFile(WEB_TEMPLATE, 'utf8'))],
  ]);
}
