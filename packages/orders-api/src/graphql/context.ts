import type { Principal } from '../auth/principal.js';
import type { OrderEventStream } from '../orders/order-events.js';
import type { OrdersService } from '../orders/orders.service.js';

/** The services resolvers call; one set per process. */
export interface GraphQLServices {
  orders: OrdersService;
  events: OrderEventStream;
}

/** What every resolver may use: the services, and who is asking (one per request or socket). */
export interface GraphQLContext extends GraphQLServices {
  principal: Principal;
}
