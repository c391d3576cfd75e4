import { expect } from 'vitest';
import type { GraphQLResponse } from '@oms/testing';

/** What the webhook tests send and read, over the public GraphQL API. */
export const ENDPOINT_FIELDS = 'id url description events enabled status createdAt lastDeliveryAt';
export const DELIVERY_FIELDS =
  'id eventCursor orderId status attempts lastStatusCode lastError nextAttemptAt deliveredAt';

export const CREATE_ENDPOINT = `mutation Create($input: WebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
export const UPDATE_ENDPOINT = `mutation Update($id: ID!, $input: WebhookEndpointUpdate!) {
  updateWebhookEndpoint(id: $id, input: $input) { ${ENDPOINT_FIELDS} } }`;
export const DELETE_ENDPOINT = `mutation Delete($id: ID!) { deleteWebhookEndpoint(id: $id) }`;
export const ROTATE_SECRET = `mutation Rotate($id: ID!) {
  rotateWebhookSecret(id: $id) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
export const REDELIVER = `mutation Redeliver($endpointId: ID!, $after: String!) {
  redeliverWebhookEvents(endpointId: $endpointId, after: $after) }`;
export const LIST_ENDPOINTS = `query List { webhookEndpoints { ${ENDPOINT_FIELDS} } }`;
export const LIST_DELIVERIES = `query Deliveries($first: Int, $after: String, $status: WebhookDeliveryStatus) {
  webhookEndpoints { id status enabled lastDeliveryAt
    deliveries(first: $first, after: $after, status: $status) {
      edges { cursor node { ${DELIVERY_FIELDS} } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

export interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  status: string;
  createdAt: string;
  lastDeliveryAt: string | null;
}

export interface Delivery {
  id: string;
  eventCursor: string;
  orderId: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

export interface EndpointWithDeliveries {
  id: string;
  status: string;
  enabled: boolean;
  lastDeliveryAt: string | null;
  deliveries: {
    edges: { cursor: string; node: Delivery }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

type Gql = <T>(
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
) => Promise<GraphQLResponse<T>>;

/** Creates an endpoint (as the demo admin unless headers say otherwise), failing on any error. */
export async function createEndpoint(
  gql: Gql,
  input: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ secret: string; endpoint: Endpoint }> {
  const result = await gql<{ createWebhookEndpoint: { secret: string; endpoint: Endpoint } }>(
    CREATE_ENDPOINT,
    { input },
    headers,
  );
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const created = result.data?.createWebhookEndpoint;
  if (created === undefined) throw new Error('createWebhookEndpoint answered nothing');
  return created;
}

/** One endpoint's deliveries (the first 100, newest event first). */
export async function deliveriesOf(
  gql: Gql,
  endpointId: string,
  variables: Record<string, unknown> = {},
): Promise<EndpointWithDeliveries> {
  const result = await gql<{ webhookEndpoints: EndpointWithDeliveries[] }>(LIST_DELIVERIES, {
    first: 100,
    ...variables,
  });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const endpoint = result.data?.webhookEndpoints.find((e) => e.id === endpointId);
  if (endpoint === undefined) throw new Error(`no endpoint ${endpointId}`);
  return endpoint;
}

/** The error code and field of the first error of an answer. */
export function refusal(result: GraphQLResponse<unknown>): { code: unknown; field: unknown } {
  const error = result.errors?.[0];
  return { code: error?.extensions?.code, field: error?.extensions?.field };
}
