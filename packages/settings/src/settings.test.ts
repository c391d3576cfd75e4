import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  SettingsError,
  boolean,
  defineSettings,
  httpUrl,
  integer,
  setting,
  undocumentedIn,
} from './settings.js';

const demo = defineSettings('demo', {
  port: setting('DEMO_PORT', integer(0, 65_535).default(4000)),
  url: setting('DEMO_URL', httpUrl().default('http://127.0.0.1:1')),
  verbose: setting('DEMO_VERBOSE', boolean(false)),
  name: setting('DEMO_NAME', z.string().optional()),
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    demo.load(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('accepted');
}

describe('defineSettings', () => {
  it('lists the variables it reads', () => {
    expect(demo.names).toEqual(['DEMO_PORT', 'DEMO_URL', 'DEMO_VERBOSE', 'DEMO_NAME']);
  });

  it('gives typed values, defaults for what is absent or blank', () => {
    expect(
      demo.load({ DEMO_PORT: '8080', DEMO_URL: 'https://x.example/a//', DEMO_NAME: ' ' }),
    ).toEqual({
      port: 8080,
      url: 'https://x.example/a',
      verbose: false,
      name: undefined,
    });
    expect(demo.load({ DEMO_VERBOSE: '1' }).verbose).toBe(true);
  });

  it('can count only the empty string as unset, giving white space to the schema', () => {
    const strict = defineSettings(
      'demo',
      { name: setting('DEMO_NAME', z.string().trim().min(1).default('x')) },
      { unset: 'empty', derive: (v) => v },
    );
    expect(strict.load({ DEMO_NAME: '' })).toEqual({ name: 'x' });
    expect(() => strict.load({ DEMO_NAME: ' ' })).toThrow(/DEMO_NAME/);
    expect(demo.load({ DEMO_PORT: ' ' }).port).toBe(4000);
  });

  it('names every bad variable at once, with the checks across settings', () => {
    const checked = defineSettings(
      'demo',
      { port: setting('DEMO_PORT', integer(1, 10)) },
      {
        check: (given) => (given.DEMO_OTHER === 'x' ? ['DEMO_OTHER: must not be x'] : []),
        derive: (v) => v,
      },
    );
    expect(() => checked.load({ DEMO_PORT: '11', DEMO_OTHER: 'x' })).toThrow(
      /Invalid demo settings:\n {2}- DEMO_PORT: must be at most 10\n {2}- DEMO_OTHER: must not be x/,
    );
    expect(problemsOf({ DEMO_PORT: 'abc', DEMO_URL: 'ftp://x', DEMO_VERBOSE: 'yes' })).toEqual([
      'DEMO_PORT: must be a number',
      'DEMO_URL: must be an http(s) URL',
      'DEMO_VERBOSE: must be true or false',
    ]);
  });
});

describe('undocumentedIn', () => {
  it("names what the README's configuration section does not list", () => {
    const readme = '# App\n## Configuration\n| `DEMO_PORT` | port |\n## Next\n`DEMO_URL`\n';
    expect(undocumentedIn(readme, ['DEMO_PORT', 'DEMO_URL'])).toEqual(['DEMO_URL']);
    expect(undocumentedIn('no such section', ['DEMO_PORT'])).toEqual(['DEMO_PORT']);
  });
});
