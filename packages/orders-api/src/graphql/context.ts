import type { OrderEventStream } from '../orders/order-events.js';
import type { OrdersService } from '../orders/orders.service.js';

/** What every resolver may use. */
export interface GraphQLContext {
  orders: OrdersService;
  events: OrderEventStream;
}
