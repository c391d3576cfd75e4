import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, type IContainer, type IProbe } from 'kubernetes-models/v1';
import { describeObject, type ManifestObject } from './manifests.js';

// These rules run after schema validation, so the shapes the guards below narrow to are trusted.

/** The one Secret every Deployment reads, created outside the repository, and its keys. */
export const SECRET_NAME = 'oms-secrets';
export const SECRET_KEYS: readonly string[] = [
  'orders-database-url',
  'payments-database-url',
  'payments-api-token',
];

/** For each container name, every environment variable its program reads. */
export type SettingsNames = ReadonlyMap<string, ReadonlySet<string>>;

const ORDERS_API = 'orders-api';
const ORDERS_API_REPLICAS = 3;
const WEBSOCKET_TIMEOUT_SECONDS = 3600;
const INGRESS_NGINX = 'nginx.ingress.kubernetes.io/';
// Containers whose program writes to /tmp: nginx keeps its pid and temporary files there. The
// services, run from their bundles, write nothing outside their database.
const WRITES_TMP: ReadonlySet<string> = new Set(['web']);
// A value for one of these names is a credential: it must come from the Secret, never be inline.
const CREDENTIAL_NAME = /TOKEN|PASSWORD|SECRET|DATABASE_URL/;

/** The objects a kubernetes-models guard accepts, typed as that kind. */
function ofKind<T>(objects: readonly ManifestObject[], is: (value: unknown) => value is T): T[] {
  const found: T[] = [];
  for (const object of objects) if (is(object)) found.push(object);
  return found;
}

const nameOf = (object: { metadata?: { name?: string } }): string => object.metadata?.name ?? '';
const where = (object: unknown): string => describeObject(object as ManifestObject);

const labelsMatch = (
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

const podLabels = (deployment: IDeployment) => deployment.spec?.template.metadata?.labels;

const containersOf = (deployment: IDeployment): readonly IContainer[] =>
  deployment.spec?.template.spec?.containers ?? [];

/** Whether a port (number or name) is one the Deployment's containers declare. */
const declaresPort = (deployment: IDeployment, port: number | string | undefined): boolean =>
  containersOf(deployment).some((container) =>
    (container.ports ?? []).some((p) =>
      typeof port === 'number' ? p.containerPort === port : p.name === port,
    ),
  );

function probeProblems(
  deployment: IDeployment,
  container: IContainer,
  kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe',
  path: string | undefined,
): string[] {
  const probe: IProbe | undefined = container[kind];
  const at = `${where(deployment)} container ${container.name} ${kind}`;
  if (probe === undefined) return path === undefined ? [] : [`${at}: missing (GET ${path})`];
  const get = probe.httpGet;
  if (get === undefined) return [`${at}: must be an HTTP GET`];
  const problems: string[] = [];
  if (path !== undefined && get.path !== path) problems.push(`${at}: path must be ${path}`);
  if (!declaresPort(deployment, get.port)) {
    problems.push(`${at}: port ${String(get.port)} is not a declared container port`);
  }
  return problems;
}

function containerProblems(
  deployment: IDeployment,
  container: IContainer,
  configMaps: ReadonlyMap<string, ReadonlySet<string>>,
  settings: SettingsNames,
): string[] {
  const at = `${where(deployment)} container ${container.name}`;
  const problems = [
    ...probeProblems(deployment, container, 'livenessProbe', '/health'),
    ...probeProblems(deployment, container, 'readinessProbe', '/ready'),
    ...probeProblems(deployment, container, 'startupProbe', undefined),
  ];
  const { requests, limits } = container.resources ?? {};
  for (const resource of ['cpu', 'memory']) {
    if (requests?.[resource] === undefined) problems.push(`${at}: no ${resource} request`);
    if (limits?.[resource] === undefined) problems.push(`${at}: no ${resource} limit`);
  }
  const security = container.securityContext;
  if (security?.allowPrivilegeEscalation !== false) {
    problems.push(`${at}: securityContext.allowPrivilegeEscalation must be false`);
  }
  if (security?.readOnlyRootFilesystem !== true) {
    problems.push(`${at}: securityContext.readOnlyRootFilesystem must be true`);
  } else if (
    WRITES_TMP.has(container.name) &&
    !(container.volumeMounts ?? []).some((m) => m.mountPath === '/tmp')
  ) {
    problems.push(`${at}: a read-only root needs a writable volume at /tmp`);
  }

  const known = settings.get(container.name);
  const variables: string[] = [];
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name === undefined) continue;
    const keys = configMaps.get(name);
    if (keys === undefined) problems.push(`${at}: envFrom names ConfigMap ${name}, not rendered`);
    for (const key of keys ?? []) {
      variables.push(key);
      if (CREDENTIAL_NAME.test(key)) {
        problems.push(`${at}: ${key} is a credential and must come from a Secret, not ${name}`);
      }
    }
  }
  for (const variable of container.env ?? []) {
    variables.push(variable.name);
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret !== undefined) {
      if (secret.name !== SECRET_NAME || !SECRET_KEYS.includes(secret.key)) {
        problems.push(
          `${at}: ${variable.name} must come from Secret ${SECRET_NAME}, key one of ${SECRET_KEYS.join(', ')}`,
        );
      }
    } else if (CREDENTIAL_NAME.test(variable.name)) {
      problems.push(`${at}: ${variable.name} is a credential and must come from a Secret`);
    }
  }
  if (known === undefined) {
    problems.push(`${at}: no settings module known for this container`);
  } else {
    for (const variable of variables) {
      if (!known.has(variable)) problems.push(`${at}: ${variable} is not a setting it reads`);
    }
  }
  return problems;
}

/**
 * Rules every rendering must keep, base or overlay: references resolve (Services select pods and
 * name their ports, Ingresses name Services, ConfigMaps exist), probes are on /health and /ready,
 * resources and a locked-down security context are set, credentials come only from the Secret,
 * and every variable set is one the container's program reads. No Secret is rendered.
 */
export function consistencyProblems(
  objects: readonly ManifestObject[],
  settings: SettingsNames,
): string[] {
  const problems: string[] = [];
  const deployments = ofKind(objects, Deployment.is);
  const services = ofKind(objects, Service.is);
  const configMaps = new Map(
    ofKind(objects, ConfigMap.is).map((c) => [nameOf(c), new Set(Object.keys(c.data ?? {}))]),
  );

  for (const object of objects) {
    if (object.kind === 'Secret') {
      problems.push(`${describeObject(object)}: secrets are created in the cluster, not rendered`);
    }
  }
  for (const deployment of deployments) {
    const spec = deployment.spec;
    if (!labelsMatch(spec?.selector.matchLabels, podLabels(deployment))) {
      problems.push(`${where(deployment)}: selector does not match the pod template's labels`);
    }
    if (spec?.template.spec?.securityContext?.runAsNonRoot !== true) {
      problems.push(`${where(deployment)}: pod securityContext.runAsNonRoot must be true`);
    }
    for (const container of containersOf(deployment)) {
      problems.push(...containerProblems(deployment, container, configMaps, settings));
    }
  }
  for (const service of services) {
    const target = deployments.find((d) => labelsMatch(service.spec?.selector, podLabels(d)));
    if (target === undefined) {
      problems.push(`${where(service)}: selects the pods of no Deployment`);
      continue;
    }
    for (const port of service.spec?.ports ?? []) {
      if (!declaresPort(target, port.targetPort ?? port.port)) {
        problems.push(
          `${where(service)}: targetPort ${String(port.targetPort)} is not a port of ${where(target)}`,
        );
      }
    }
  }
  for (const ingress of ofKind(objects, Ingress.is)) {
    for (const rule of ingress.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend.service;
        const service = services.find((s) => nameOf(s) === backend?.name);
        const port = backend?.port;
        const portFound = service?.spec?.ports?.some(
          (p) => p.name === port?.name || p.port === port?.number,
        );
        if (service === undefined || portFound !== true) {
          problems.push(
            `${where(ingress)}: ${path.path ?? '/'} goes to ${backend?.name ?? '?'}:${String(port?.name ?? port?.number)}, which is no Service port`,
          );
        }
      }
    }
  }
  return problems;
}

const seconds = (value: string | undefined): number => Number(value ?? Number.NaN);

function graphqlIngressProblems(ingresses: readonly IIngress[]): string[] {
  const graphql = ingresses.filter((i) =>
    (i.spec?.rules ?? []).some((rule) =>
      (rule.http?.paths ?? []).some(
        (p) => p.path === '/graphql' && p.backend.service?.name === ORDERS_API,
      ),
    ),
  );
  if (graphql.length === 0) return [`no Ingress routes /graphql to ${ORDERS_API}`];
  return graphql.flatMap((ingress) => {
    const annotations = ingress.metadata?.annotations ?? {};
    const problems: string[] = [];
    for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
      if (!(seconds(annotations[INGRESS_NGINX + name]) >= WEBSOCKET_TIMEOUT_SECONDS)) {
        problems.push(
          `${where(ingress)}: ${INGRESS_NGINX}${name} must be at least ${WEBSOCKET_TIMEOUT_SECONDS} (WebSocket subscriptions)`,
        );
      }
    }
    if (annotations[`${INGRESS_NGINX}proxy-buffering`] !== 'off') {
      problems.push(`${where(ingress)}: ${INGRESS_NGINX}proxy-buffering must be off`);
    }
    return problems;
  });
}

function autoscalerProblems(
  autoscalers: readonly IHorizontalPodAutoscaler[],
  replicas: number | undefined,
): string[] {
  const hpa = autoscalers.find(
    (a) =>
      a.spec?.scaleTargetRef.kind === 'Deployment' && a.spec.scaleTargetRef.name === ORDERS_API,
  );
  if (hpa?.spec === undefined) return [`no HorizontalPodAutoscaler scales ${ORDERS_API}`];
  const { minReplicas, maxReplicas, metrics } = hpa.spec;
  const problems: string[] = [];
  // Equal, so that re-applying the Deployment's replica count never fights the autoscaler.
  if (minReplicas !== replicas) {
    problems.push(`${where(hpa)}: minReplicas must equal the Deployment's replicas (${replicas})`);
  }
  if (maxReplicas < (minReplicas ?? 1)) problems.push(`${where(hpa)}: maxReplicas < minReplicas`);
  if (!(metrics ?? []).some((m) => m.type === 'Resource' && m.resource?.name === 'cpu')) {
    problems.push(`${where(hpa)}: must scale on CPU`);
  }
  return problems;
}

// A tag or digest that names one build: neither absent, nor `latest`, nor the compose tag `dev`.
const isPinned = (image: string): boolean => {
  if (image.includes('@sha256:')) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest' && tag !== 'dev';
};

/**
 * What production needs beyond consistency: three orders-api replicas, an autoscaler that starts
 * from them, a disruption budget that keeps two serving, images pinned to a release, a namespace,
 * and a public host with TLS whose /graphql route keeps WebSockets open and unbuffered.
 */
export function productionProblems(objects: readonly ManifestObject[]): string[] {
  const problems: string[] = [];
  const deployments = ofKind(objects, Deployment.is);
  const orders = deployments.find((d) => nameOf(d) === ORDERS_API);
  if (orders === undefined) return [`no Deployment ${ORDERS_API}`];
  const replicas = orders.spec?.replicas;
  if (replicas !== ORDERS_API_REPLICAS) {
    problems.push(
      `${where(orders)}: replicas must be ${ORDERS_API_REPLICAS}, is ${JSON.stringify(replicas)}`,
    );
  }

  for (const object of objects) {
    if (object.kind !== 'Namespace' && object.metadata.namespace === undefined) {
      problems.push(`${describeObject(object)}: no namespace`);
    }
  }
  for (const deployment of deployments) {
    for (const container of containersOf(deployment)) {
      if (container.image === undefined || !isPinned(container.image)) {
        problems.push(
          `${where(deployment)} container ${container.name}: image ${container.image ?? '(none)'} is not pinned to a release tag`,
        );
      }
    }
  }

  const budget = ofKind(objects, PodDisruptionBudget.is).find((p) =>
    labelsMatch(p.spec?.selector?.matchLabels, podLabels(orders)),
  );
  if (budget === undefined) {
    problems.push(`no PodDisruptionBudget covers ${ORDERS_API}`);
  } else {
    const { maxUnavailable, minAvailable } = budget.spec ?? {};
    if (!(maxUnavailable === 1 || (typeof minAvailable === 'number' && minAvailable >= 2))) {
      problems.push(`${where(budget)}: must keep at least two replicas (maxUnavailable: 1)`);
    }
  }

  problems.push(...autoscalerProblems(ofKind(objects, HorizontalPodAutoscaler.is), replicas));

  const ingresses = ofKind(objects, Ingress.is);
  problems.push(...graphqlIngressProblems(ingresses));
  if (
    !ingresses.some((i) =>
      (i.spec?.rules ?? []).some((r) => r.http?.paths.some((p) => p.path === '/')),
    )
  ) {
    problems.push('no Ingress routes / to the web app');
  }
  for (const ingress of ingresses) {
    if ((ingress.spec?.rules ?? []).some((rule) => rule.host === undefined)) {
      problems.push(`${where(ingress)}: every rule needs a host`);
    }
    if ((ingress.spec?.tls ?? []).length === 0) problems.push(`${where(ingress)}: no TLS`);
  }
  return problems;
}
