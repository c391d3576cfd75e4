import { parseAllDocuments } from 'yaml';

/** The metadata every rendered object carries; the rest of the object is checked by its schema. */
export interface ManifestMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One Kubernetes object as `kubectl kustomize` renders it. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ManifestMetadata;
  readonly [field: string]: unknown;
}

/** `Kind namespace/name`, the way problems name the object at fault. */
export function describeObject(object: ManifestObject): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses a multi-document YAML stream into objects. Throws naming the document at fault when one
 * is not YAML or lacks `apiVersion`, `kind` or `metadata.name`: nothing else can be checked then.
 */
export function parseManifests(text: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `document ${index + 1}`;
    if (document.errors.length > 0) {
      throw new Error(`${where}: ${document.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    if (!isRecord(value)) throw new Error(`${where}: not an object`);
    const { apiVersion, kind, metadata } = value;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      throw new Error(`${where}: apiVersion and kind must be strings`);
    }
    if (!isRecord(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
      throw new Error(`${where} (${kind}): metadata.name is missing`);
    }
    objects.push(value as ManifestObject);
  });
  return objects;
}
