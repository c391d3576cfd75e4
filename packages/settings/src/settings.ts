import { z } from 'zod';

/** One setting: the environment variable it is read from and the schema that parses it. */
export interface Setting<S extends z.ZodType = z.ZodType> {
  readonly env: string;
  readonly schema: S;
}

/** A service's settings: a key (as code reads it) for each setting. */
export type SettingsSpec = Readonly<Record<string, Setting>>;

/** The parsed values of a spec, each typed by its schema. */
export type SettingsOf<T extends SettingsSpec> = { [K in keyof T]: z.output<T[K]['schema']> };

/** A setting read from `env` and parsed by `schema` (give it a default to make it optional). */
export function setting<S extends z.ZodType>(env: string, schema: S): Setting<S> {
  return { env, schema };
}

/** Thrown when the environment is invalid; its message names every bad variable. */
export class SettingsError extends Error {
  constructor(
    service: string,
    readonly problems: string[],
  ) {
    super(`Invalid ${service} settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** The variables as given, without unset ones: `PORT=` means "use the default", never 0 or "". */
export type GivenEnv = Readonly<Record<string, string>>;

export interface SettingsDefinition<R> {
  /** Every variable the service reads, in the order of the spec (for deploy checks, turbo). */
  readonly names: readonly string[];
  /**
   * Reads and validates the environment once, at start: every setting, then the checks across
   * settings; throws SettingsError naming every bad variable.
   */
  load(env: NodeJS.ProcessEnv): R;
}

export interface DefineSettingsOptions<T extends SettingsSpec, R> {
  /**
   * Which values count as not set: `blank` (empty or only white space, the default) or `empty`
   * (only the empty string; white space is given to the schema, which may refuse it).
   */
  unset?: 'blank' | 'empty';
  /** Rules across settings, on the raw values, so they are reported beside any other problem. */
  check?: (given: GivenEnv) => string[];
  /** What the service derives from the parsed values (the result of `load`). */
  derive: (values: SettingsOf<T>, given: GivenEnv) => R;
}

/**
 * A service's settings module: one entry per setting, the type inferred from the schemas. Adding
 * a setting is one entry here plus its line in the README's configuration table.
 */
export function defineSettings<T extends SettingsSpec, R = SettingsOf<T>>(
  service: string,
  spec: T,
  options: DefineSettingsOptions<T, R> = { derive: (values) => values as unknown as R },
): SettingsDefinition<R> {
  const entries = Object.entries(spec);
  return {
    names: entries.map(([, s]) => s.env),
    load(env) {
      const isUnset =
        options.unset === 'empty' ? (v: string) => v === '' : (v: string) => v.trim() === '';
      const given: GivenEnv = Object.fromEntries(
        Object.entries(env).filter(
          (entry): entry is [string, string] => entry[1] !== undefined && !isUnset(entry[1]),
        ),
      );
      const problems: string[] = [];
      const values: Record<string, unknown> = {};
      for (const [key, { env: name, schema }] of entries) {
        const parsed = schema.safeParse(given[name]);
        if (parsed.success) values[key] = parsed.data;
        else problems.push(...parsed.error.issues.map((issue) => `${name}: ${issue.message}`));
      }
      problems.push(...(options.check?.(given) ?? []));
      if (problems.length > 0) throw new SettingsError(service, problems);
      return options.derive(values as SettingsOf<T>, given);
    },
  };
}

/** A whole number between `min` and `max`, read from text. */
export const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** `true`/`false` (or `1`/`0`), read from text. */
export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** An http(s) URL, without trailing slashes so paths can be appended. */
export const httpUrl = (error = 'must be an http(s) URL') =>
  z.url({ protocol: /^https?$/, error }).transform((v) => v.replace(/\/+$/, ''));

/** A PostgreSQL URL, or absent (the embedded database). */
export const postgresUrl = () =>
  z
    .url({
      protocol: /^postgres(ql)?$/,
      error: 'must be a URL such as postgres://user@host:5432/db',
    })
    .optional();

/** The log levels pino knows. */
export const logLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** NODE_ENV as the services understand it. */
export const nodeEnv = () => z.enum(['development', 'production', 'test']).default('development');

/**
 * The names missing from the README's `## Configuration` section (each must appear there as
 * `` `NAME` ``): a setting is documented where users look for it.
 */
export function undocumentedIn(readme: string, names: readonly string[]): string[] {
  const section = /^## Configuration\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
  return names.filter((name) => !section.includes(`\`${name}\``));
}
