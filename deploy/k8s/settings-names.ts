/**
 * The environment variables a program reads, taken from the text of the one file that names
 * them: a service's settings module (src/config/env.ts, the only reader of process.env), or the
 * web image's nginx template, whose `${NAME}` placeholders are filled from the environment.
 * Reading the text rather than importing the module keeps this check free of the services'
 * runtime; a name that appears nowhere in that file cannot be a setting of that program.
 */
export function settingsNamesIn(
  source: string,
  kind: 'settings-module' | 'nginx-template',
): Set<string> {
  const pattern =
    kind === 'settings-module' ? /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g : /\$\{([A-Z][A-Z0-9_]*)\}/g;
  return new Set([...source.matchAll(pattern)].map((match) => match[1] ?? match[0]));
}
