import { describe, expect, it } from 'vitest';
import { parseManifests } from './manifests.js';
import { schemaProblems } from './schema-validation.js';

const deployment = (replicas: string, container: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: orders-api, namespace: oms }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: orders-api } }
  template:
    metadata: { labels: { app: orders-api } }
    spec:
      containers: [${container}]
`;

describe('schemaProblems', () => {
  it('accepts a valid object', () => {
    const objects = parseManifests(
      deployment('3', '{ name: orders-api, image: oms/orders-api:1 }'),
    );
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('names the object and the path of each field at fault', () => {
    const objects = parseManifests(deployment("'3'", '{ image: oms/orders-api:1 }'));
    expect(schemaProblems(objects)).toEqual([
      'Deployment oms/orders-api /spec/replicas: must be integer',
      'Deployment oms/orders-api /spec/template/spec/containers/0: must have required property name',
    ]);
  });

  it('refuses a kind it has no schema for instead of passing it unchecked', () => {
    const objects = parseManifests(
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }',
    );
    expect(schemaProblems(objects)).toEqual([
      'Widget w: no schema known for example.com/v1 Widget',
    ]);
  });
});

describe('parseManifests', () => {
  it('reads every document of a stream and skips empty ones', () => {
    const text = `${deployment('1', '{ name: a, image: a:1 }')}---\n---\napiVersion: v1\nkind: Service\nmetadata: { name: s }\n`;
    expect(parseManifests(text).map((o) => o.kind)).toEqual(['Deployment', 'Service']);
  });

  it('names the document without apiVersion, kind or name', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: Service\n---\nkind: Service')).toThrow(
      'document 1 (Service): metadata.name is missing',
    );
    expect(() => parseManifests('apiVersion: v1\nmetadata: { name: x }')).toThrow(
      'document 1: apiVersion and kind must be strings',
    );
    expect(() => parseManifests('a: [')).toThrow(/^document 1: /);
  });
});
