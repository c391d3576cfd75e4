import { dirname, relative, resolve } from 'node:path';
import { eachMapping, TraceMap } from '@jridgewell/trace-mapping';

/** One file esbuild wrote, or would write. */
export interface OutputText {
  path: string;
  text: string;
}

/**
 * Classes of our own code (not node_modules) that the bundle's `outputs` (code and source maps)
 * declare under another name. esbuild renames a top-level class when an inlined module declares one of the same name,
 * and the class's `name` then changes with it: type-graphql names GraphQL types after their
 * classes, and error logs name errors by theirs. Found through the source maps, where esbuild
 * records the original name of every identifier it renamed. One message per class, with its
 * source file relative to `root`.
 */
export function renamedClasses(outputs: readonly OutputText[], root: string): string[] {
  const found = new Map<string, string>();
  const maps = new Map(outputs.map((output) => [output.path, output.text]));
  for (const output of outputs) {
    const mapText = maps.get(`${output.path}.map`);
    if (!output.path.endsWith('.js') || mapText === undefined) continue;
    const lines = output.text.split('\n');
    const map = new TraceMap(mapText);
    eachMapping(map, (mapping) => {
      const { name, source } = mapping;
      if (name === null || source === null || source.includes('/node_modules/')) return;
      const line = lines[mapping.generatedLine - 1] ?? '';
      const [declared] = /^[\w$]+/.exec(line.slice(mapping.generatedColumn)) ?? [];
      if (declared === undefined || declared === name) return;
      const before = line.slice(0, mapping.generatedColumn);
      const after = line.slice(mapping.generatedColumn + declared.length);
      if (!/\bclass\s+$/.test(before) && !/^\s*=\s*class\b/.test(after)) return;
      const file = relative(root, resolve(dirname(output.path), source));
      found.set(
        `${file} ${name}`,
        `${file}: class ${name} is named ${declared} in the bundle, because an inlined module declares a ${name} too, and its name may be read at run time (type-graphql, error logs): rename ours, or name it explicitly where the name is read`,
      );
    });
  }
  return [...found.values()];
}
