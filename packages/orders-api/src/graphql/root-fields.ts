import {
  Kind,
  getOperationAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Per parsed document (the pipeline caches documents by text): root fields by operation name. */
const known = new WeakMap<DocumentNode, Map<string, readonly string[] | undefined>>();

/**
 * The root fields the operation `operationName` of `document` selects, through fragments and
 * whatever their directives (a field skipped by `@skip` still counts), or undefined when the
 * document has no such operation (it will not run). Worked out once per document and name.
 */
export function rootFieldsOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): readonly string[] | undefined {
  let byName = known.get(document);
  if (byName === undefined) {
    byName = new Map();
    known.set(document, byName);
  }
  const key = operationName ?? '';
  if (byName.has(key)) return byName.get(key);
  const operation = getOperationAST(document, operationName);
  const fields = operation ? [...collect(operation.selectionSet, fragments(document))] : undefined;
  byName.set(key, fields);
  return fields;
}

function fragments(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const found = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) found.set(definition.name.value, definition);
  }
  return found;
}

function collect(
  selections: SelectionSetNode,
  fragmentsByName: Map<string, FragmentDefinitionNode>,
  into = new Set<string>(),
  visited = new Set<string>(),
): Set<string> {
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      into.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, fragmentsByName, into, visited);
    } else {
      const name = selection.name.value;
      const fragment = fragmentsByName.get(name);
      // Validation refuses cycles and unknown fragments; the guard keeps this total anyway.
      if (fragment === undefined || visited.has(name)) continue;
      visited.add(name);
      collect(fragment.selectionSet, fragmentsByName, into, visited);
    }
  }
  return into;
}
