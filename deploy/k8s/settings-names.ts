import { readFile } from 'node:fs/promises';
import { SETTING_NAMES as ordersSettings } from '@oms/orders-api/settings';
import { SETTING_NAMES as paymentsSettings } from '@oms/payments-api/settings';
import type { SettingsNames } from './manifest-rules.js';

/** The variables the web image's nginx template reads: its `${NAME}` placeholders. */
export function nginxTemplateNames(source: string): Set<string> {
  return new Set([...source.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((match) => match[1] ?? ''));
}

const WEB_TEMPLATE = new URL('../../packages/web/deploy/default.conf.template', import.meta.url);

/** Each container's program and every variable it reads, for the manifests' consistency rules. */
export async function programSettingsNames(): Promise<SettingsNames> {
  return new Map([
    // Each service's settings module is the only reader of process.env and lists what it reads.
    ['orders-api', new Set(ordersSettings)],
    ['payments-api', new Set(paymentsSettings)],
    ['web', nginxTemplateNames(await readFile(WEB_TEMPLATE, 'utf8'))],
  ]);
}
