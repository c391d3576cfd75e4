import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@oms/testing';

const run = promisify(execFile);

/** Debian and Ubuntu keep each server version's programs here. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * A PostgreSQL cluster of the test's own, on a free loopback port, in a temporary folder: a
 * server the test may stop and start without touching the machine's shared one (other test runs
 * use that). PostgreSQL refuses to run as root, so as root the cluster belongs to `postgres`.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly asPostgres: boolean,
  ) {}

  /**
   * Where initdb, pg_ctl and postgres are (the newest version installed), or why there are none:
   * a test that needs them skips, naming the reason.
   */
  static locate(): { bin: string } | { missing: string } {
    const versions = existsSync(DEBIAN_ROOT)
      ? readdirSync(DEBIAN_ROOT)
          .filter((v) => existsSync(join(DEBIAN_ROOT, v, 'bin', 'pg_ctl')))
          .sort((a, b) => Number(b) - Number(a))
      : [];
    const [newest] = versions;
    if (newest === undefined) {
      return { missing: `no PostgreSQL server programs under ${DEBIAN_ROOT}/<version>/bin` };
    }
    if (userInfo().uid === 0 && !existsSync('/usr/sbin/runuser')) {
      return { missing: 'running as root without runuser to start PostgreSQL as postgres' };
    }
    return { bin: join(DEBIAN_ROOT, newest, 'bin') };
  }

  /** initdb (trust authentication, user `postgres`) and start on a free loopback port. */
  static async start(bin: string): Promise<PrivatePostgres> {
    const asPostgres = userInfo().uid === 0;
    const dir = await mkdtemp(join(tmpdir(), 'oms-private-pg-'));
    if (asPostgres) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: group } = await run('id', ['-g', 'postgres']);
      await chown(dir, Number(stdout.trim()), Number(group.trim()));
    }
    const cluster = new PrivatePostgres(bin, dir, await freePort(), asPostgres);
    await cluster.exec('initdb', [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await cluster.startServer();
    return cluster;
  }

  /** URL of database `name` (the `postgres` database by default). */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** Stops the server: `fast` ends every session (the clients see their connections drop). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  /** Starts the stopped server again, on the same port, with the same data. */
  async startServer(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      await this.exec('pg_ctl', [
        '-D',
        this.dataDir,
        '-l',
        this.logFile,
        '-o',
        options,
        '-w',
        '-t',
        '30',
        'start',
      ]);
    } catch (error) {
      const log = await readFile(this.logFile, 'utf8').catch(() => '');
      throw new Error(`${String(error)}\n${log.slice(-2_000)}`, { cause: error });
    }
  }

  /** Stops the server (if running) and removes its folder. */
  async dispose(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(
      () => undefined,
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private get logFile(): string {
    return join(this.dir, 'server.log');
  }

  private async exec(program: string, args: string[]): Promise<void> {
    const path = join(this.bin, program);
    const [command, commandArgs] = this.asPostgres
      ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', path, ...args]]
      : [path, args];
    await run(command, commandArgs, { timeout: 60_000 });
  }
}
