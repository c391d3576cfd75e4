import { JobQueue } from './job-queue.js';
import { SqlOrderRepository } from './order-repository.js';
import { OrderTransitions, type FollowUpDelays } from './order-transitions.js';
import type { OrdersDb } from './sql.js';

/** Everything orders-api keeps in its database, over one connection pool. */
export interface OrdersPersistence {
  repository: SqlOrderRepository;
  transitions: OrderTransitions;
  jobs: JobQueue;
}

/** The repository, the transitions and the job queue over `db`. */
export function ordersPersistence(db: OrdersDb, delays: FollowUpDelays): OrdersPersistence {
  return {
    repository: new SqlOrderRepository(db),
    transitions: new OrderTransitions(db, delays),
    jobs: new JobQueue(db),
  };
}
