import { readFile } from 'node:fs/promises';
import { undocumentedIn } from '@oms/settings';
import { describe, expect, it } from 'vitest';
import { DEV_PAYMENTS_API_TOKEN, SETTING_NAMES, SettingsError, loadSettings } from './settings.js';

/** The problems `loadSettings` reports for `env`; fails the test if it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error(`settings were accepted: ${JSON.stringify(env)}`);
}

/** The variable each problem names (problems read `NAME: what is wrong`). */
const variablesOf = (problems: string[]): string[] =>
  problems.map((p) => p.slice(0, p.indexOf(':'))).sort();

describe('orders-api settings', () => {
  it('has a default for everything in development', () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({
      nodeEnv: 'development',
      logLevel: 'info',
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dbPoolSize: 10,
      paymentsUrl: 'http://127.0.0.1:4001',
      paymentsApiToken: DEV_PAYMENTS_API_TOKEN,
      usesDevToken: true,
      paymentTimeoutMs: 5_000,
      paymentMaxAttempts: 10,
      paymentRetryBaseMs: 1_000,
      paymentBatchSize: 500,
      deliveryDelaySeconds: 10,
      workerBatchSize: 200,
      workerConcurrency: 100,
      workerIdlePollMs: 1_000,
      maxBodyBytes: 128 * 1024,
      ideUrl: 'http://127.0.0.1:5173/graphiql',
    });
    expect(settings.dataDir.replaceAll('\\', '/')).toMatch(/\/\.data\/orders$/);
  });

  it('reads the variables it is given, as typed values', () => {
    const settings = loadSettings({
      NODE_ENV: 'test',
      ORDERS_PORT: '8080',
      ORDERS_DATABASE_URL: 'postgres://orders@db:5432/orders',
      PAYMENTS_URL: 'http://payments:4001//',
      PAYMENTS_API_TOKEN: 'secret',
      DELIVERY_DELAY_SECONDS: '0.5',
      MAX_BODY_BYTES: '2048',
      ORDERS_IDE_URL: 'https://orders.example.com/graphiql',
    });
    expect(settings).toMatchObject({
      nodeEnv: 'test',
      port: 8080,
      databaseUrl: 'postgres://orders@db:5432/orders',
      paymentsUrl: 'http://payments:4001',
      paymentsApiToken: 'secret',
      usesDevToken: false,
      deliveryDelaySeconds: 0.5,
      maxBodyBytes: 2048,
      ideUrl: 'https://orders.example.com/graphiql',
    });
  });

  it("takes a payment batch size from 1 to payments-api's limit", () => {
    expect(loadSettings({ PAYMENT_BATCH_SIZE: '1' }).paymentBatchSize).toBe(1);
    expect(variablesOf(problemsOf({ PAYMENT_BATCH_SIZE: '0' }))).toEqual(['PAYMENT_BATCH_SIZE']);
    expect(variablesOf(problemsOf({ PAYMENT_BATCH_SIZE: '501' }))).toEqual(['PAYMENT_BATCH_SIZE']);
  });

  it('reads the tracing and metrics settings', () => {
    expect(loadSettings({})).toMatchObject({
      otlpEndpoint: undefined,
      serviceName: 'orders-api',
      metricsEnabled: true,
    });
    expect(
      loadSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'orders-eu',
        METRICS_ENABLED: 'false',
      }),
    ).toMatchObject({
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'orders-eu',
      metricsEnabled: false,
    });
  });

  it('reads the admission control settings, on by default', () => {
    expect(loadSettings({}).admission).toEqual({
      enabled: true,
      minConcurrency: 16,
      initialConcurrency: 32,
      maxConcurrency: 256,
      latencyTolerance: 3,
      latencyFloorMs: 20,
      maxEventLoopDelayMs: 50,
      maxJobAgeMs: 2_000,
      sampleIntervalMs: 250,
      retryAfterSeconds: 1,
    });
    expect(
      loadSettings({
        ADMISSION_ENABLED: 'false',
        ADMISSION_MIN_CONCURRENCY: '2',
        ADMISSION_INITIAL_CONCURRENCY: '3',
        ADMISSION_MAX_CONCURRENCY: '4',
        ADMISSION_LATENCY_TOLERANCE: '1.5',
        ADMISSION_LATENCY_FLOOR_MS: '7',
        ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '20',
        ADMISSION_MAX_JOB_AGE_MS: '500',
        ADMISSION_SAMPLE_INTERVAL_MS: '50',
        ADMISSION_RETRY_AFTER_SECONDS: '5',
      }).admission,
    ).toEqual({
      enabled: false,
      minConcurrency: 2,
      initialConcurrency: 3,
      maxConcurrency: 4,
      latencyTolerance: 1.5,
      latencyFloorMs: 7,
      maxEventLoopDelayMs: 20,
      maxJobAgeMs: 500,
      sampleIntervalMs: 50,
      retryAfterSeconds: 5,
    });
  });

  it.each([
    [{ ADMISSION_MAX_CONCURRENCY: '4' }, [4, 4, 4]],
    [{ ADMISSION_MIN_CONCURRENCY: '400' }, [400, 400, 400]],
    [{ ADMISSION_INITIAL_CONCURRENCY: '1' }, [1, 1, 256]],
    [{ ADMISSION_INITIAL_CONCURRENCY: '300' }, [16, 300, 300]],
  ])('lets the default concurrency limits give way to %o', (env, [min, initial, max]) => {
    expect(loadSettings(env).admission).toMatchObject({
      minConcurrency: min,
      initialConcurrency: initial,
      maxConcurrency: max,
    });
  });

  it('refuses admission limits out of order', () => {
    expect(problemsOf({ ADMISSION_MIN_CONCURRENCY: '10', ADMISSION_MAX_CONCURRENCY: '5' })).toEqual(
      ['ADMISSION_MIN_CONCURRENCY: must be at most ADMISSION_MAX_CONCURRENCY (5), is 10'],
    );
    expect(
      variablesOf(
        problemsOf({ ADMISSION_INITIAL_CONCURRENCY: '300', ADMISSION_MAX_CONCURRENCY: '256' }),
      ),
    ).toEqual(['ADMISSION_INITIAL_CONCURRENCY']);
    expect(variablesOf(problemsOf({ ADMISSION_LATENCY_TOLERANCE: '1' }))).toEqual([
      'ADMISSION_LATENCY_TOLERANCE',
    ]);
    // One that does not parse is named once, by itself.
    expect(
      variablesOf(problemsOf({ ADMISSION_MIN_CONCURRENCY: 'x', ADMISSION_MAX_CONCURRENCY: '1' })),
    ).toEqual(['ADMISSION_MIN_CONCURRENCY']);
  });

  it('reads the webhook settings, private networks allowed outside production only', () => {
    expect(loadSettings({}).webhooks).toEqual({
      retryBaseMs: 5_000,
      retryMaxAgeHours: 24,
      timeoutMs: 10_000,
      allowPrivateNetworks: true,
    });
    const production = { NODE_ENV: 'production', PAYMENTS_API_TOKEN: 'a-real-token' };
    expect(loadSettings(production).webhooks.allowPrivateNetworks).toBe(false);
    expect(
      loadSettings({ ...production, WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' }).webhooks
        .allowPrivateNetworks,
    ).toBe(true);
    expect(
      loadSettings({
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'false',
        WEBHOOKS_RETRY_BASE_SECONDS: '0.05',
        WEBHOOKS_RETRY_MAX_AGE_HOURS: '0.5',
        WEBHOOKS_TIMEOUT_SECONDS: '2.5',
      }).webhooks,
    ).toEqual({
      retryBaseMs: 50,
      retryMaxAgeHours: 0.5,
      timeoutMs: 2_500,
      allowPrivateNetworks: false,
    });
    expect(
      variablesOf(
        problemsOf({
          WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'yes',
          WEBHOOKS_RETRY_BASE_SECONDS: '0',
          WEBHOOKS_RETRY_MAX_AGE_HOURS: '-1',
          WEBHOOKS_TIMEOUT_SECONDS: 'soon',
        }),
      ),
    ).toEqual([
      'WEBHOOKS_ALLOW_PRIVATE_NETWORKS',
      'WEBHOOKS_RETRY_BASE_SECONDS',
      'WEBHOOKS_RETRY_MAX_AGE_HOURS',
      'WEBHOOKS_TIMEOUT_SECONDS',
    ]);
  });

  it('treats a blank database URL as absent (embedded database)', () => {
    expect(loadSettings({ ORDERS_DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      ORDERS_PORT: 'abc',
      DELIVERY_DELAY_SECONDS: '-1',
      PAYMENT_TIMEOUT_MS: '5',
    });
    expect(variablesOf(problems)).toEqual([
      'DELIVERY_DELAY_SECONDS',
      'ORDERS_PORT',
      'PAYMENT_TIMEOUT_MS',
    ]);
    expect(problems).toContain('ORDERS_PORT: must be a number');
    expect(problems).toContain('DELIVERY_DELAY_SECONDS: must be at least 0');
    expect(problems).toContain('PAYMENT_TIMEOUT_MS: must be at least 100');
  });

  it('puts every problem in the error message', () => {
    let message = '';
    try {
      loadSettings({ LOG_LEVEL: 'loud', ORDERS_DB_POOL_SIZE: '0', PAYMENTS_URL: 'not a url' });
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    for (const name of ['LOG_LEVEL', 'ORDERS_DB_POOL_SIZE', 'PAYMENTS_URL']) {
      expect(message).toContain(name);
    }
  });

  it.each([
    ['a fractional port', { ORDERS_PORT: '80.5' }, 'ORDERS_PORT'],
    ['a port above 65535', { ORDERS_PORT: '65536' }, 'ORDERS_PORT'],
    ['a body limit under 1 KiB', { MAX_BODY_BYTES: '1000' }, 'MAX_BODY_BYTES'],
    [
      'a delivery delay over 30 days',
      { DELIVERY_DELAY_SECONDS: '2592001' },
      'DELIVERY_DELAY_SECONDS',
    ],
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }, 'NODE_ENV'],
    [
      'an OTLP endpoint that is not http(s)',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' },
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ],
    ['a metrics switch that is not a boolean', { METRICS_ENABLED: 'yes' }, 'METRICS_ENABLED'],
    // Blank means unset; in production that is a missing token.
    [
      'a blank token in production',
      { NODE_ENV: 'production', PAYMENTS_API_TOKEN: ' ' },
      'PAYMENTS_API_TOKEN',
    ],
    [
      'a database URL that is not a URL',
      { ORDERS_DATABASE_URL: 'localhost' },
      'ORDERS_DATABASE_URL',
    ],
  ])('refuses %s', (_label, env, variable) => {
    expect(variablesOf(problemsOf(env))).toEqual([variable]);
  });

  it('refuses production without PAYMENTS_API_TOKEN', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(variablesOf(problems)).toEqual(['PAYMENTS_API_TOKEN']);
    expect(problems[0]).toMatch(/production/);
  });

  it('accepts production with a token of its own', () => {
    const settings = loadSettings({ NODE_ENV: 'production', PAYMENTS_API_TOKEN: 'prod-secret' });
    expect(settings.paymentsApiToken).toBe('prod-secret');
    expect(settings.usesDevToken).toBe(false);
  });

  it('still names the missing production token when another variable is also bad', () => {
    expect(variablesOf(problemsOf({ NODE_ENV: 'production', ORDERS_PORT: 'abc' }))).toEqual([
      'ORDERS_PORT',
      'PAYMENTS_API_TOKEN',
    ]);
  });

  it('refuses the development token in production even when set explicitly', () => {
    expect(
      variablesOf(
        problemsOf({ NODE_ENV: 'production', PAYMENTS_API_TOKEN: DEV_PAYMENTS_API_TOKEN }),
      ),
    ).toEqual(['PAYMENTS_API_TOKEN']);
  });

  it('does not read an empty number variable as 0', () => {
    // An empty variable (`ORDERS_PORT=` in a .env file) means "not set" or is an error; it must
    // not silently become a random port or an immediate delivery.
    for (const [variable, key] of [
      ['ORDERS_PORT', 'port'],
      ['DELIVERY_DELAY_SECONDS', 'deliveryDelaySeconds'],
    ] as const) {
      let value: number | undefined;
      try {
        value = loadSettings({ [variable]: '' })[key];
      } catch (error) {
        expect(error).toBeInstanceOf(SettingsError);
      }
      expect(value, variable).not.toBe(0);
    }
  });

  it.each(['/graphiql', 'javascript:alert(1)', 'ftp://web/graphiql'])(
    'refuses an ORDERS_IDE_URL that is not an http(s) URL: %s',
    (value) => {
      expect(variablesOf(problemsOf({ ORDERS_IDE_URL: value }))).toEqual(['ORDERS_IDE_URL']);
    },
  );

  it('refuses a PAYMENTS_URL that is not http(s)', () => {
    expect(variablesOf(problemsOf({ PAYMENTS_URL: 'ftp://payments:4001' }))).toEqual([
      'PAYMENTS_URL',
    ]);
  });
});

describe('orders-api access settings', () => {
  const SECRET = 's'.repeat(32);

  it('is off, every request the demo customer, when neither a secret nor a key set is given', () => {
    expect(loadSettings({}).access).toEqual({ mode: 'off' });
  });

  it('reads an HS256 secret, or a key set URL, with the optional issuer and audience', () => {
    expect(
      loadSettings({ ORDERS_JWT_SECRET: SECRET, ORDERS_JWT_ISSUER: 'https://id.example.com' })
        .access,
    ).toEqual({
      mode: 'hs256',
      secret: SECRET,
      issuer: 'https://id.example.com',
      audience: undefined,
    });
    expect(
      loadSettings({
        ORDERS_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
        ORDERS_JWT_AUDIENCE: 'orders-api',
      }).access,
    ).toEqual({
      mode: 'jwks',
      jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      issuer: undefined,
      audience: 'orders-api',
    });
  });

  it('refuses a secret shorter than 32 bytes, saying its length and not its value', () => {
    const problems = problemsOf({ ORDERS_JWT_SECRET: 'short-secret' });
    expect(problems).toEqual([
      'ORDERS_JWT_SECRET: must be at least 32 bytes for HS256, is 12 (make one with `openssl rand -base64 48`)',
    ]);
    // Bytes, not characters: 16 two-byte letters are enough.
    expect(loadSettings({ ORDERS_JWT_SECRET: 'é'.repeat(16) }).access.mode).toBe('hs256');
  });

  it('refuses both a secret and a key set', () => {
    expect(
      problemsOf({ ORDERS_JWT_SECRET: SECRET, ORDERS_JWKS_URL: 'https://id.example.com/jwks' }),
    ).toEqual([
      'ORDERS_JWKS_URL: set one of ORDERS_JWT_SECRET (HS256) and ORDERS_JWKS_URL, not both',
    ]);
  });

  it.each(['id.example.com/jwks', 'file:///etc/jwks.json'])(
    'refuses a key set URL that is not http(s): %s',
    (value) => {
      expect(variablesOf(problemsOf({ ORDERS_JWKS_URL: value }))).toEqual(['ORDERS_JWKS_URL']);
    },
  );

  it('refuses an issuer or audience that nothing would check', () => {
    expect(
      variablesOf(problemsOf({ ORDERS_JWT_ISSUER: 'https://id', ORDERS_JWT_AUDIENCE: 'orders' })),
    ).toEqual(['ORDERS_JWT_AUDIENCE', 'ORDERS_JWT_ISSUER']);
  });
});

describe('SETTING_NAMES', () => {
  it("names every variable, each documented in the README's configuration table", async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    expect(SETTING_NAMES).toContain('ORDERS_PORT');
    expect(undocumentedIn(readme, SETTING_NAMES)).toEqual([]);
  });
});
