import { graphql } from '../../lib/graphql/generated/gql.js';

// Result and variables types are generated from orders-api's schema.graphql
// (`pnpm --filter @oms/web codegen`).

export const WEBHOOK_ENDPOINTS = graphql(`
  query WebhookEndpoints($deliveries: Int) {
    webhookEndpoints {
      id
      url
      description
      events
      enabled
      status
      createdAt
      lastDeliveryAt
      deliveries(first: $deliveries) {
        edges {
          cursor
          node {
            id
            eventCursor
            orderId
            status
            attempts
            lastStatusCode
            lastError
            nextAttemptAt
            deliveredAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const CREATE_WEBHOOK_ENDPOINT = graphql(`
  mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      endpoint {
        id
        url
      }
    }
  }
`);

export const REDELIVER_WEBHOOK_EVENTS = graphql(`
  mutation RedeliverWebhookEvents($endpointId: ID!, $after: String!) {
    redeliverWebhookEvents(endpointId: $endpointId, after: $after)
  }
`);
