import { gql, type TypedDocumentNode } from '@apollo/client';
import type { OrderStatus } from '@oms/order-lifecycle';
import type { CreateOrderInput, Order, OrdersPage } from './order.types.js';

/** Everything the SPA shows of an order; every operation asks for the same fields. */
export const ORDER_FIELDS = gql`
  fragment OrderFields on Order {
    id
    status
    total
    currency
    createdAt
    updatedAt
    cancellationReason
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
    }
  }
`;

export const ORDERS_QUERY: TypedDocumentNode<
  { orders: OrdersPage },
  { first: number; after?: string | null; status?: OrderStatus | null }
> = gql`
  query Orders($first: Int, $after: String, $status: OrderStatus) {
    orders(first: $first, after: $after, status: $status) {
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
  ${ORDER_FIELDS}
`;

export const ORDER_QUERY: TypedDocumentNode<{ order: Order | null }, { id: string }> = gql`
  query Order($id: ID!) {
    order(id: $id) {
      ...OrderFields
    }
  }
  ${ORDER_FIELDS}
`;

export const CREATE_ORDER: TypedDocumentNode<{ createOrder: Order }, { input: CreateOrderInput }> =
  gql`
    mutation CreateOrder($input: CreateOrderInput!) {
      createOrder(input: $input) {
        ...OrderFields
      }
    }
    ${ORDER_FIELDS}
  `;

export const CANCEL_ORDER: TypedDocumentNode<
  { cancelOrder: Order },
  { id: string; reason?: string | null }
> = gql`
  mutation CancelOrder($id: ID!, $reason: String) {
    cancelOrder(id: $id, reason: $reason) {
      ...OrderFields
    }
  }
  ${ORDER_FIELDS}
`;

/** With `id`, one order's transitions; without, every order's. */
export const ORDER_UPDATED: TypedDocumentNode<{ orderUpdated: Order }, { id?: string | null }> =
  gql`
    subscription OrderUpdated($id: ID) {
      orderUpdated(id: $id) {
        ...OrderFields
      }
    }
    ${ORDER_FIELDS}
  `;
