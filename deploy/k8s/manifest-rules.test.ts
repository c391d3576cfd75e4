import { describe, expect, it } from 'vitest';
import { consistencyProblems, productionProblems, type SettingsNames } from './manifest-rules.js';
import { parseManifests, type ManifestObject } from './manifests.js';
import { schemaProblems } from './schema-validation.js';
import { nginxTemplateNames, programSettingsNames } from './settings-names.js';

// A small production rendering that keeps every rule; each test breaks one thing in a copy.
const PRODUCTION = `
apiVersion: v1
kind: ConfigMap
metadata: { name: orders-api-config-abc, namespace: oms }
data: { ORDERS_PORT: '4000', PAYMENTS_URL: 'http://payments-api:4001' }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: orders-api, namespace: oms }
spec:
  replicas: 3
  selector: { matchLabels: { app: orders-api } }
  template:
    metadata: { labels: { app: orders-api } }
    spec:
      securityContext: { runAsNonRoot: true }
      containers:
        - name: orders-api
          image: registry.example.com/oms/orders-api:1.0.0
          ports: [{ name: http, containerPort: 4000 }]
          envFrom: [{ configMapRef: { name: orders-api-config-abc } }]
          env:
            - name: PAYMENTS_API_TOKEN
              valueFrom: { secretKeyRef: { name: oms-secrets, key: payments-api-token } }
          livenessProbe: { httpGet: { path: /health, port: http } }
          readinessProbe: { httpGet: { path: /ready, port: http } }
          resources:
            requests: { cpu: 250m, memory: 256Mi }
            limits: { cpu: '1', memory: 512Mi }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }
---
apiVersion: v1
kind: Service
metadata: { name: orders-api, namespace: oms }
spec:
  selector: { app: orders-api }
  ports: [{ name: http, port: 4000, targetPort: http }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: orders-api, namespace: oms }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: orders-api } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: orders-api, namespace: oms }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: orders-api }
  minReplicas: 3
  maxReplicas: 6
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: orders-api
  namespace: oms
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: '3600'
    nginx.ingress.kubernetes.io/proxy-send-timeout: '3600'
    nginx.ingress.kubernetes.io/proxy-buffering: 'off'
spec:
  tls: [{ hosts: [orders.example.com], secretName: tls }]
  rules:
    - host: orders.example.com
      http:
        paths:
          - path: /graphql
            pathType: Prefix
            backend: { service: { name: orders-api, port: { name: http } } }
          - path: /
            pathType: Prefix
            backend: { service: { name: orders-api, port: { number: 4000 } } }
`;

const SETTINGS: SettingsNames = new Map([
  ['orders-api', new Set(['ORDERS_PORT', 'PAYMENTS_URL', 'PAYMENTS_API_TOKEN'])],
]);

type Mutable = Record<string, unknown>;

/** A fresh copy of the fixture, with `change` applied to the object of that kind. */
function rendering(kind?: string, change?: (object: Mutable) => void): ManifestObject[] {
  const objects = parseManifests(PRODUCTION);
  const target = objects.find((o) => o.kind === kind);
  if (change !== undefined && target !== undefined) change(target);
  return objects;
}

// Plain property paths into the fixture's nested objects, for breaking one field.
const at = (object: unknown, ...path: (string | number)[]): Mutable =>
  path.reduce<Mutable>((node, key) => node[key] as Mutable, object as Mutable);
const container = (deployment: unknown) =>
  at(deployment, 'spec', 'template', 'spec', 'containers', 0);

const allProblems = (objects: ManifestObject[]) => [
  ...schemaProblems(objects),
  ...consistencyProblems(objects, SETTINGS),
  ...productionProblems(objects),
];

describe('manifest rules', () => {
  it('find nothing wrong with a rendering that keeps them', () => {
    expect(allProblems(rendering())).toEqual([]);
  });

  it('require three orders-api replicas and an autoscaler that starts from them', () => {
    const problems = allProblems(rendering('Deployment', (d) => (at(d, 'spec').replicas = 2)));
    expect(problems).toEqual([
      'Deployment oms/orders-api: replicas must be 3, is 2',
      "HorizontalPodAutoscaler oms/orders-api: minReplicas must equal the Deployment's replicas (2)",
    ]);
  });

  it('require probes on /health and /ready, on a declared port', () => {
    const problems = allProblems(
      rendering('Deployment', (d) => {
        at(container(d), 'livenessProbe', 'httpGet').path = '/';
        at(container(d), 'readinessProbe', 'httpGet').port = 'web';
      }),
    );
    expect(problems).toEqual([
      'Deployment oms/orders-api container orders-api livenessProbe: path must be /health',
      'Deployment oms/orders-api container orders-api readinessProbe: port web is not a declared container port',
    ]);
  });

  it('require requests and limits, and a locked-down container', () => {
    const problems = allProblems(
      rendering('Deployment', (d) => {
        delete at(container(d), 'resources', 'limits').memory;
        at(container(d), 'securityContext').allowPrivilegeEscalation = true;
      }),
    );
    expect(problems).toEqual([
      'Deployment oms/orders-api container orders-api: no memory limit',
      'Deployment oms/orders-api container orders-api: securityContext.allowPrivilegeEscalation must be false',
    ]);
  });

  it('require a writable /tmp beside a read-only root where nginx runs', () => {
    const objects = rendering('Deployment', (d) => (container(d).name = 'web'));
    const settings: SettingsNames = new Map([['web', SETTINGS.get('orders-api') ?? new Set()]]);
    expect(consistencyProblems(objects, settings)).toEqual([
      'Deployment oms/orders-api container web: a read-only root needs a writable volume at /tmp',
    ]);
  });

  it('refuse a variable the service does not read, and a credential outside the Secret', () => {
    const problems = allProblems(
      rendering('ConfigMap', (c) => {
        at(c, 'data').ORDER_PORT = '4000';
        at(c, 'data').PAYMENTS_API_TOKEN = 'dev-only-oops';
      }),
    );
    expect(problems).toEqual([
      'Deployment oms/orders-api container orders-api: PAYMENTS_API_TOKEN is a credential and must come from a Secret, not orders-api-config-abc',
      'Deployment oms/orders-api container orders-api: ORDER_PORT is not a setting it reads',
    ]);
  });

  it('refuse a rendered Secret, an unknown Secret key and a Service that selects nothing', () => {
    const objects = rendering('Service', (s) => (at(s, 'spec', 'selector').app = 'order-api'));
    const secret = parseManifests(
      'apiVersion: v1\nkind: Secret\nmetadata: { name: oms-secrets, namespace: oms }',
    );
    const deployment = objects.find((o) => o.kind === 'Deployment');
    at(container(deployment), 'env', 0, 'valueFrom', 'secretKeyRef').key = 'token';
    expect(consistencyProblems([...objects, ...secret], SETTINGS)).toEqual([
      'Secret oms/oms-secrets: secrets are created in the cluster, not rendered',
      'Deployment oms/orders-api container orders-api: PAYMENTS_API_TOKEN must come from Secret oms-secrets, key one of orders-database-url, payments-database-url, payments-api-token',
      'Service oms/orders-api: selects the pods of no Deployment',
    ]);
  });

  it('refuse an Ingress path to a Service port that does not exist', () => {
    const objects = rendering('Service', (s) => (at(s, 'spec', 'ports', 0).name = 'web'));
    expect(consistencyProblems(objects, SETTINGS)).toEqual([
      'Ingress oms/orders-api: /graphql goes to orders-api:http, which is no Service port',
    ]);
  });

  it('require WebSocket-friendly ingress settings for /graphql, a host and TLS', () => {
    const problems = allProblems(
      rendering('Ingress', (i) => {
        const annotations = at(i, 'metadata', 'annotations');
        annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'] = '60';
        delete annotations['nginx.ingress.kubernetes.io/proxy-buffering'];
        delete at(i, 'spec').tls;
      }),
    );
    expect(problems).toEqual([
      'Ingress oms/orders-api: nginx.ingress.kubernetes.io/proxy-read-timeout must be at least 3600 (WebSocket subscriptions)',
      'Ingress oms/orders-api: nginx.ingress.kubernetes.io/proxy-buffering must be off',
      'Ingress oms/orders-api: no TLS',
    ]);
  });

  it('require a disruption budget that keeps two replicas, and pinned images', () => {
    const objects = rendering('PodDisruptionBudget', (p) => (at(p, 'spec').maxUnavailable = 2));
    const deployment = objects.find((o) => o.kind === 'Deployment');
    container(deployment).image = 'oms/orders-api:latest';
    expect(productionProblems(objects)).toEqual([
      'Deployment oms/orders-api container orders-api: image oms/orders-api:latest is not pinned to a release tag',
      'PodDisruptionBudget oms/orders-api: must keep at least two replicas (maxUnavailable: 1)',
    ]);
  });
});

describe('settings names', () => {
  it('are the placeholders of an nginx template', () => {
    const template = 'proxy_pass ${ORDERS_API_URL}; proxy_set_header Upgrade $http_upgrade;';
    expect([...nginxTemplateNames(template)]).toEqual(['ORDERS_API_URL']);
  });

  it("come from each program's own settings module", async () => {
    const names = await programSettingsNames();
    expect([...names.keys()]).toEqual(['orders-api', 'payments-api', 'web']);
    expect(names.get('orders-api')).toContain('ORDERS_DB_POOL_SIZE');
    expect(names.get('orders-api')).not.toContain('PAYMENT_LATENCY_MS');
    expect(names.get('payments-api')).toContain('PAYMENT_LATENCY_MS');
    expect(names.get('payments-api')).toContain('NODE_ENV');
    expect(names.get('web')).toEqual(new Set(['ORDERS_API_URL']));
  });
});
