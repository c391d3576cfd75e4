import type { OrderEventsService } from '../domain/order-events.service.js';
import type { OrderStatsService } from '../domain/order-stats.service.js';
import type { OrdersService } from '../domain/orders.service.js';
import type { Principal } from '../domain/principal.js';
import type { WebhooksService } from '../domain/webhooks.service.js';
import type { OrderEventStream } from '../events/order-event-stream.js';

/** The services resolvers call; one set per process. */
export interface GraphQLServices {
  orders: OrdersService;
  orderEvents: OrderEventsService;
  orderStats: OrderStatsService;
  events: OrderEventStream;
  webhooks: WebhooksService;
}

/** What every resolver may use: the services, and who is asking (one per request or socket). */
export interface GraphQLContext extends GraphQLServices {
  principal: Principal;
}
