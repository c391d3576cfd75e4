import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

/** Where a test's database lives; `dispose` removes it. */
export interface TestDatabase {
  /** PostgreSQL URL, or undefined for the embedded database. */
  url: string | undefined;
  /** Folder for the embedded database (unused with a URL). */
  dataDir: string;
  dispose(): Promise<void>;
}

/**
 * A fresh, empty database for one test run: a new database on the server named by
 * TEST_DATABASE_URL when set, otherwise an embedded database in a temporary folder.
 */
export async function createTestDatabase(
  serverUrl = process.env.TEST_DATABASE_URL,
): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-test-'));
  if (serverUrl === undefined || serverUrl === '') {
    await copyEmptyCluster(dataDir);
    return {
      url: undefined,
      dataDir,
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `oms_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async dispose() {
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Puts a freshly initialised, empty embedded cluster in `dataDir` (a missing or empty folder): a
 * service started on it skips initdb, and migrates it as it would a new one.
 */
export async function copyEmptyCluster(dataDir: string): Promise<void> {
  await cp(await emptyClusterTemplate(), dataDir, { recursive: true });
}

/**
 * A freshly initialised embedded cluster, made once per machine and PGlite version. Copying it
 * takes a fraction of a second where initdb takes several, which is most of an embedded test's
 * start-up.
 */
async function emptyClusterTemplate(): Promise<string> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = createHash('sha256').update(pglite).digest('hex').slice(0, 12);
  const template = join(tmpdir(), `oms-pglite-template-${version}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const staging = await mkdtemp(join(tmpdir(), 'oms-pglite-staging-'));
  const db = await PGlite.create(staging);
  await db.close();
  // Test workers may race to make it; the first rename wins and the others drop their copy.
  await rename(staging, template).catch(() => rm(staging, { recursive: true, force: true }));
  return template;
}
