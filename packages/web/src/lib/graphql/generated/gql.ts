/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query OrderStats {\n    orderStats {\n      byStatus {\n        status\n        count\n      }\n      revenue {\n        currency\n        amount\n      }\n      createdPerMinute {\n        minute\n        count\n      }\n    }\n  }\n": typeof types.OrderStatsDocument,
    "\n  query WebhookEndpoints($deliveries: Int) {\n    webhookEndpoints {\n      id\n      url\n      description\n      events\n      enabled\n      status\n      createdAt\n      lastDeliveryAt\n      deliveries(first: $deliveries) {\n        edges {\n          cursor\n          node {\n            id\n            eventCursor\n            orderId\n            status\n            attempts\n            lastStatusCode\n            lastError\n            nextAttemptAt\n            deliveredAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.WebhookEndpointsDocument,
    "\n  mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n": typeof types.CreateWebhookEndpointDocument,
    "\n  mutation RedeliverWebhookEvents($endpointId: ID!, $after: String!) {\n    redeliverWebhookEvents(endpointId: $endpointId, after: $after)\n  }\n": typeof types.RedeliverWebhookEventsDocument,
    "\n  fragment OrderFields on Order {\n    id\n    number\n    version\n    status\n    total\n    currency\n    createdAt\n    updatedAt\n    cancellationReason\n    customer {\n      name\n      email\n    }\n    shippingAddress {\n      line1\n      line2\n      city\n      postalCode\n      region\n      country\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice\n    }\n    history {\n      from\n      to\n      at\n      reason\n      actor {\n        kind\n        id\n      }\n    }\n    nextAction {\n      kind\n      dueAt\n      attempts\n      lastError\n    }\n    notes {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n": typeof types.OrderFieldsFragmentDoc,
    "\n  query Orders(\n    $first: Int\n    $after: String\n    $filter: OrderFilter\n    $search: String\n    $orderBy: OrderOrder\n  ) {\n    orders(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {\n      edges {\n        cursor\n        node {\n          ...OrderFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.OrdersDocument,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n": typeof types.OrderDocument,
    "\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderFields\n    }\n  }\n": typeof types.CreateOrderDocument,
    "\n  mutation CancelOrder($id: ID!, $reason: String, $expectedVersion: Int) {\n    cancelOrder(id: $id, reason: $reason, expectedVersion: $expectedVersion) {\n      ...OrderFields\n    }\n  }\n": typeof types.CancelOrderDocument,
    "\n  mutation AddOrderNote($orderId: ID!, $text: String!, $visibility: NoteVisibility) {\n    addOrderNote(orderId: $orderId, text: $text, visibility: $visibility) {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n": typeof types.AddOrderNoteDocument,
    "\n  subscription OrderEvents($after: String) {\n    orderEvents(after: $after) {\n      cursor\n      order {\n        ...OrderFields\n      }\n    }\n  }\n": typeof types.OrderEventsDocument,
};
const documents: Documents = {
    "\n  query OrderStats {\n    orderStats {\n      byStatus {\n        status\n        count\n      }\n      revenue {\n        currency\n        amount\n      }\n      createdPerMinute {\n        minute\n        count\n      }\n    }\n  }\n": types.OrderStatsDocument,
    "\n  query WebhookEndpoints($deliveries: Int) {\n    webhookEndpoints {\n      id\n      url\n      description\n      events\n      enabled\n      status\n      createdAt\n      lastDeliveryAt\n      deliveries(first: $deliveries) {\n        edges {\n          cursor\n          node {\n            id\n            eventCursor\n            orderId\n            status\n            attempts\n            lastStatusCode\n            lastError\n            nextAttemptAt\n            deliveredAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.WebhookEndpointsDocument,
    "\n  mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n": types.CreateWebhookEndpointDocument,
    "\n  mutation RedeliverWebhookEvents($endpointId: ID!, $after: String!) {\n    redeliverWebhookEvents(endpointId: $endpointId, after: $after)\n  }\n": types.RedeliverWebhookEventsDocument,
    "\n  fragment OrderFields on Order {\n    id\n    number\n    version\n    status\n    total\n    currency\n    createdAt\n    updatedAt\n    cancellationReason\n    customer {\n      name\n      email\n    }\n    shippingAddress {\n      line1\n      line2\n      city\n      postalCode\n      region\n      country\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice\n    }\n    history {\n      from\n      to\n      at\n      reason\n      actor {\n        kind\n        id\n      }\n    }\n    nextAction {\n      kind\n      dueAt\n      attempts\n      lastError\n    }\n    notes {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n": types.OrderFieldsFragmentDoc,
    "\n  query Orders(\n    $first: Int\n    $after: String\n    $filter: OrderFilter\n    $search: String\n    $orderBy: OrderOrder\n  ) {\n    orders(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {\n      edges {\n        cursor\n        node {\n          ...OrderFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.OrdersDocument,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n": types.OrderDocument,
    "\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderFields\n    }\n  }\n": types.CreateOrderDocument,
    "\n  mutation CancelOrder($id: ID!, $reason: String, $expectedVersion: Int) {\n    cancelOrder(id: $id, reason: $reason, expectedVersion: $expectedVersion) {\n      ...OrderFields\n    }\n  }\n": types.CancelOrderDocument,
    "\n  mutation AddOrderNote($orderId: ID!, $text: String!, $visibility: NoteVisibility) {\n    addOrderNote(orderId: $orderId, text: $text, visibility: $visibility) {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n": types.AddOrderNoteDocument,
    "\n  subscription OrderEvents($after: String) {\n    orderEvents(after: $after) {\n      cursor\n      order {\n        ...OrderFields\n      }\n    }\n  }\n": types.OrderEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderStats {\n    orderStats {\n      byStatus {\n        status\n        count\n      }\n      revenue {\n        currency\n        amount\n      }\n      createdPerMinute {\n        minute\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrderStats {\n    orderStats {\n      byStatus {\n        status\n        count\n      }\n      revenue {\n        currency\n        amount\n      }\n      createdPerMinute {\n        minute\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookEndpoints($deliveries: Int) {\n    webhookEndpoints {\n      id\n      url\n      description\n      events\n      enabled\n      status\n      createdAt\n      lastDeliveryAt\n      deliveries(first: $deliveries) {\n        edges {\n          cursor\n          node {\n            id\n            eventCursor\n            orderId\n            status\n            attempts\n            lastStatusCode\n            lastError\n            nextAttemptAt\n            deliveredAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookEndpoints($deliveries: Int) {\n    webhookEndpoints {\n      id\n      url\n      description\n      events\n      enabled\n      status\n      createdAt\n      lastDeliveryAt\n      deliveries(first: $deliveries) {\n        edges {\n          cursor\n          node {\n            id\n            eventCursor\n            orderId\n            status\n            attempts\n            lastStatusCode\n            lastError\n            nextAttemptAt\n            deliveredAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RedeliverWebhookEvents($endpointId: ID!, $after: String!) {\n    redeliverWebhookEvents(endpointId: $endpointId, after: $after)\n  }\n"): (typeof documents)["\n  mutation RedeliverWebhookEvents($endpointId: ID!, $after: String!) {\n    redeliverWebhookEvents(endpointId: $endpointId, after: $after)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderFields on Order {\n    id\n    number\n    version\n    status\n    total\n    currency\n    createdAt\n    updatedAt\n    cancellationReason\n    customer {\n      name\n      email\n    }\n    shippingAddress {\n      line1\n      line2\n      city\n      postalCode\n      region\n      country\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice\n    }\n    history {\n      from\n      to\n      at\n      reason\n      actor {\n        kind\n        id\n      }\n    }\n    nextAction {\n      kind\n      dueAt\n      attempts\n      lastError\n    }\n    notes {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment OrderFields on Order {\n    id\n    number\n    version\n    status\n    total\n    currency\n    createdAt\n    updatedAt\n    cancellationReason\n    customer {\n      name\n      email\n    }\n    shippingAddress {\n      line1\n      line2\n      city\n      postalCode\n      region\n      country\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice\n    }\n    history {\n      from\n      to\n      at\n      reason\n      actor {\n        kind\n        id\n      }\n    }\n    nextAction {\n      kind\n      dueAt\n      attempts\n      lastError\n    }\n    notes {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Orders(\n    $first: Int\n    $after: String\n    $filter: OrderFilter\n    $search: String\n    $orderBy: OrderOrder\n  ) {\n    orders(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {\n      edges {\n        cursor\n        node {\n          ...OrderFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Orders(\n    $first: Int\n    $after: String\n    $filter: OrderFilter\n    $search: String\n    $orderBy: OrderOrder\n  ) {\n    orders(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {\n      edges {\n        cursor\n        node {\n          ...OrderFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n"): (typeof documents)["\n  query Order($id: ID!) {\n    order(id: $id) {\n      ...OrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      ...OrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOrder($id: ID!, $reason: String, $expectedVersion: Int) {\n    cancelOrder(id: $id, reason: $reason, expectedVersion: $expectedVersion) {\n      ...OrderFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelOrder($id: ID!, $reason: String, $expectedVersion: Int) {\n    cancelOrder(id: $id, reason: $reason, expectedVersion: $expectedVersion) {\n      ...OrderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddOrderNote($orderId: ID!, $text: String!, $visibility: NoteVisibility) {\n    addOrderNote(orderId: $orderId, text: $text, visibility: $visibility) {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddOrderNote($orderId: ID!, $text: String!, $visibility: NoteVisibility) {\n    addOrderNote(orderId: $orderId, text: $text, visibility: $visibility) {\n      id\n      text\n      visibility\n      createdAt\n      author {\n        kind\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderEvents($after: String) {\n    orderEvents(after: $after) {\n      cursor\n      order {\n        ...OrderFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription OrderEvents($after: String) {\n    orderEvents(after: $after) {\n      cursor\n      order {\n        ...OrderFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;