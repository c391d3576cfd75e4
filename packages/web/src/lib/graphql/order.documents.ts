import { graphql } from './generated/gql.js';

// Each document's result and variables types are generated from orders-api's schema.graphql
// (`pnpm --filter @oms/web codegen`; `pnpm typecheck` fails while they are stale).

/** Everything the SPA shows of an order; every operation asks for the same fields. */
export const ORDER_FIELDS = graphql(`
  fragment OrderFields on Order {
    id
    number
    version
    status
    total
    currency
    createdAt
    updatedAt
    cancellationReason
    customer {
      name
      email
    }
    shippingAddress {
      line1
      line2
      city
      postalCode
      region
      country
    }
    items {
      sku
      name
      quantity
      unitPrice
    }
    history {
      from
      to
      at
      reason
      actor {
        kind
        id
      }
    }
    nextAction {
      kind
      dueAt
      attempts
      lastError
    }
    notes {
      id
      text
      visibility
      createdAt
      author {
        kind
        id
      }
    }
  }
`);

export const ORDERS_QUERY = graphql(`
  query Orders(
    $first: Int
    $after: String
    $filter: OrderFilter
    $search: String
    $orderBy: OrderOrder
  ) {
    orders(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {
      edges {
        cursor
        node {
          ...OrderFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ORDER_QUERY = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      ...OrderFields
    }
  }
`);

export const CREATE_ORDER = graphql(`
  mutation CreateOrder($input: CreateOrderInput!) {
    createOrder(input: $input) {
      ...OrderFields
    }
  }
`);

export const CANCEL_ORDER = graphql(`
  mutation CancelOrder($id: ID!, $reason: String, $expectedVersion: Int) {
    cancelOrder(id: $id, reason: $reason, expectedVersion: $expectedVersion) {
      ...OrderFields
    }
  }
`);

/** A note on an order; PUBLIC unless an admin asks for INTERNAL. Answers the note as stored. */
export const ADD_ORDER_NOTE = graphql(`
  mutation AddOrderNote($orderId: ID!, $text: String!, $visibility: NoteVisibility) {
    addOrderNote(orderId: $orderId, text: $text, visibility: $visibility) {
      id
      text
      visibility
      createdAt
      author {
        kind
        id
      }
    }
  }
`);

/**
 * Every transition the user may see, each with its cursor: with `after`, first everything after
 * that cursor (what happened while the socket was down), then live.
 */
export const ORDER_EVENTS = graphql(`
  subscription OrderEvents($after: String) {
    orderEvents(after: $after) {
      cursor
      order {
        ...OrderFields
      }
    }
  }
`);
