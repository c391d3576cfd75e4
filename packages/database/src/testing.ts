import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
export async function createTestDatabase(serverUrl = process.env.TEST_DATABASE_URL): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-test-'));
  if (serverUrl === undefined || serverUrl === '') {
    return { url: undefined, dataDir, dispose: () => rm(dataDir, { recursive: true, force: true }) };
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
