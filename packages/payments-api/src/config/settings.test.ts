import { readFile } from 'node:fs/promises';
import { undocumentedIn } from '@oms/settings';
import { describe, expect, it } from 'vitest';
import {
  DEVELOPMENT_API_TOKEN,
  loadSettings,
  parseLatencyRange,
  SETTING_NAMES,
  SettingsError,
} from './settings.js';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected loadSettings to throw');
}

describe('loadSettings', () => {
  it('applies the documented defaults to an empty environment', () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({
      port: 4001,
      host: '127.0.0.1',
      databaseUrl: undefined,
      apiToken: DEVELOPMENT_API_TOKEN,
      usesDevelopmentToken: true,
      approvalRate: 0.8,
      latencyMs: { min: 200, max: 800 },
      logLevel: 'info',
    });
    expect(settings.dataDir.replaceAll('\\', '/')).toMatch(/\/\.data\/payments$/);
    expect(settings.dataDir).not.toContain('packages');
  });

  it('reads every variable it is given', () => {
    const settings = loadSettings({
      PAYMENTS_PORT: '0',
      PAYMENTS_HOST: '0.0.0.0',
      PAYMENTS_DATABASE_URL: 'postgresql://user@db:5432/payments',
      PAYMENTS_DATA_DIR: '/var/lib/payments',
      PAYMENTS_API_TOKEN: 'a-real-token',
      PAYMENT_APPROVAL_RATE: '0',
      PAYMENT_LATENCY_MS: '0',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'production',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_SERVICE_NAME: 'payments-eu',
      METRICS_ENABLED: 'false',
    });
    expect(settings).toEqual({
      port: 0,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://user@db:5432/payments',
      dataDir: '/var/lib/payments',
      apiToken: 'a-real-token',
      usesDevelopmentToken: false,
      approvalRate: 0,
      latencyMs: { min: 0, max: 0 },
      logLevel: 'silent',
      nodeEnv: 'production',
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'payments-eu',
      metricsEnabled: false,
    });
  });

  it('treats empty values as unset', () => {
    const settings = loadSettings({ PAYMENTS_PORT: '', PAYMENTS_API_TOKEN: '', LOG_LEVEL: '' });
    expect(settings.port).toBe(4001);
    expect(settings.apiToken).toBe(DEVELOPMENT_API_TOKEN);
    expect(settings.logLevel).toBe('info');
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({
      PAYMENTS_PORT: '70000',
      PAYMENTS_HOST: '   ',
      PAYMENTS_DATABASE_URL: 'mysql://db/payments',
      PAYMENT_APPROVAL_RATE: '1.5',
      PAYMENT_LATENCY_MS: '800-200',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      'PAYMENTS_PORT: must be an integer from 0 to 65535',
      'PAYMENTS_HOST: must not be blank',
      'PAYMENTS_DATABASE_URL: must be a postgres:// or postgresql:// URL',
      'PAYMENT_APPROVAL_RATE: must be a number from 0 to 1',
      expect.stringMatching(/^PAYMENT_LATENCY_MS: must be 0, an integer or a range/),
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it('refuses an OTLP endpoint that is not an http(s) URL and a metrics switch that is not a boolean', () => {
    expect(
      problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', METRICS_ENABLED: 'yes' }),
    ).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL such as http://collector:4318',
      'METRICS_ENABLED: must be true or false',
    ]);
  });

  it('puts every problem in the error message', () => {
    expect(() => loadSettings({ PAYMENTS_PORT: 'x', PAYMENT_APPROVAL_RATE: 'often' })).toThrow(
      /PAYMENTS_PORT: .*\n.*PAYMENT_APPROVAL_RATE: must be a number from 0 to 1/,
    );
  });

  it.each(['abc', '-0.1', '1.01', ' ', 'Infinity'])('rejects approval rate %j', (raw) => {
    expect(problemsOf({ PAYMENT_APPROVAL_RATE: raw })).toEqual([
      'PAYMENT_APPROVAL_RATE: must be a number from 0 to 1',
    ]);
  });

  it('refuses production without a token', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'PAYMENTS_API_TOKEN: is required when NODE_ENV is production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', PAYMENTS_API_TOKEN: '' })).toHaveLength(1);
  });

  it('refuses the development token in production', () => {
    expect(
      problemsOf({ NODE_ENV: 'production', PAYMENTS_API_TOKEN: DEVELOPMENT_API_TOKEN }),
    ).toEqual(['PAYMENTS_API_TOKEN: must not be the development default in production']);
  });

  it('reports the production token together with other bad variables', () => {
    expect(problemsOf({ NODE_ENV: 'production', PAYMENTS_PORT: '-1' })).toEqual([
      'PAYMENTS_PORT: must be an integer from 0 to 65535',
      'PAYMENTS_API_TOKEN: is required when NODE_ENV is production',
    ]);
  });

  it('resolves a relative data folder against the working directory', () => {
    const settings = loadSettings({ PAYMENTS_DATA_DIR: 'tmp/payments' });
    expect(settings.dataDir).toBe(`${process.cwd()}/tmp/payments`);
    expect(loadSettings({ PAYMENTS_DATA_DIR: 'memory://' }).dataDir).toBe('memory://');
  });
});

describe('SETTING_NAMES', () => {
  it("names every variable, each documented in the README's configuration table", async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    expect(SETTING_NAMES).toContain('PAYMENTS_PORT');
    expect(undocumentedIn(readme, SETTING_NAMES)).toEqual([]);
  });
});

describe('parseLatencyRange', () => {
  it.each([
    ['0', { min: 0, max: 0 }],
    ['250', { min: 250, max: 250 }],
    ['200-800', { min: 200, max: 800 }],
    [' 150 - 150 ', { min: 150, max: 150 }],
    ['0-60000', { min: 0, max: 60_000 }],
  ])('parses %j', (text, range) => {
    expect(parseLatencyRange(text)).toEqual(range);
  });

  it.each(['', '-5', '800-200', '60001', '0-60001', '1.5', '100-', 'fast', '1-2-3'])(
    'rejects %j',
    (text) => {
      expect(parseLatencyRange(text)).toBeUndefined();
    },
  );
});
