import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { describeObject, type ManifestObject } from './manifests.js';

/** A kubernetes-models class for one top-level kind: built from data, checked by `validate()`. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

const isModelClass = (value: unknown): value is ModelClass =>
  typeof value === 'function' &&
  'apiVersion' in value &&
  typeof value.apiVersion === 'string' &&
  'kind' in value &&
  typeof value.kind === 'string';

// The API groups the manifests may use. An object of any other apiVersion and kind is refused
// rather than passed unchecked: add its module here when a manifest needs it.
const MODULES: readonly Readonly<Record<string, unknown>>[] = [
  coreV1,
  appsV1,
  autoscalingV2,
  networkingV1,
  policyV1,
];

const MODELS = new Map<string, ModelClass>(
  MODULES.flatMap((module) => Object.values(module))
    .filter(isModelClass)
    .map((model) => [`${model.apiVersion}/${model.kind}`, model]),
);

/** The error kubernetes-models throws: Ajv's errors, each with the JSON pointer at fault. */
interface SchemaErrorDetail {
  readonly instancePath: string;
  readonly message?: string;
}

const schemaErrorsOf = (error: unknown): readonly SchemaErrorDetail[] | undefined =>
  error instanceof Error && 'errors' in error && Array.isArray(error.errors)
    ? (error.errors as SchemaErrorDetail[])
    : undefined;

/**
 * Validates every object against the Kubernetes JSON schema of its apiVersion and kind. Returns
 * one line per problem, naming the object and the path at fault (`/spec/replicas: must be
 * integer`); empty when all are valid. The schemas check types, required fields and formats;
 * they allow unknown fields, as the API server's non-strict decoding does.
 */
export function schemaProblems(objects: readonly ManifestObject[]): string[] {
  return objects.flatMap((object) => {
    const model = MODELS.get(`${object.apiVersion}/${object.kind}`);
    if (model === undefined) {
      return [`${describeObject(object)}: no schema known for ${object.apiVersion} ${object.kind}`];
    }
    try {
      // The schema decides what the data must be; the constructor only copies it.
      new model(object as never).validate();
      return [];
    } catch (error) {
      const details = schemaErrorsOf(error);
      if (details === undefined) throw error;
      return details.map(
        (d) => `${describeObject(object)} ${d.instancePath || '/'}: ${d.message ?? 'is invalid'}`,
      );
    }
  });
}
