import { JobQueue } from './job-queue.js';
import { SqlOrderNotes } from './order-notes.js';
import { SqlOrderStats } from './order-stats.js';
import { SqlOrderRepository, type InsertBatching } from './order-repository.js';
import { OrderTransitions, type FollowUpDelays } from './order-transitions.js';
import type { SqlClient } from './sql.js';
import { TransitionLog } from './transition-log.js';
import { WebhookQueue } from './webhook-queue.js';
import { SqlWebhookStore } from './webhook-store.js';

/** Everything orders-api keeps in its database, over one connection pool. */
export interface OrdersPersistence {
  repository: SqlOrderRepository;
  notes: SqlOrderNotes;
  stats: SqlOrderStats;
  transitions: OrderTransitions;
  jobs: JobQueue;
  log: TransitionLog;
  webhooks: SqlWebhookStore;
  webhookQueue: WebhookQueue;
}

export interface OrdersPersistenceOptions {
  delays: FollowUpDelays;
  batching?: InsertBatching;
  /** Told after every statement that added to the transition log. */
  onCommitted?: () => void;
}

/** The repository, the transitions, the job queue and the transition log over `db`. */
export function ordersPersistence(
  db: SqlClient,
  { delays, batching, onCommitted }: OrdersPersistenceOptions,
): OrdersPersistence {
  return {
    repository: new SqlOrderRepository(db, batching, onCommitted),
    notes: new SqlOrderNotes(db),
    stats: new SqlOrderStats(db),
    transitions: new OrderTransitions(db, delays, onCommitted),
    jobs: new JobQueue(db),
    log: new TransitionLog(db),
    webhooks: new SqlWebhookStore(db),
    webhookQueue: new WebhookQueue(db),
  };
}
