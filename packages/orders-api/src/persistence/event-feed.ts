/** NOTIFY channel carrying `<orderId>:<version>` after each committed transition. */
export const ORDER_EVENTS_CHANNEL = 'order_events';
/** NOTIFY channel that wakes every worker when new work is due now. */
export const ORDER_JOBS_CHANNEL = 'order_jobs';

/** A committed transition as the feed reports it: which order, and its version after it. */
export interface FeedEntry {
  orderId: string;
  version: number;
}

/** Reads one NOTIFY payload of the events channel; null when it is malformed. */
export function parseFeedPayload(payload: string): FeedEntry | null {
  const [orderId, versionText, extra] = payload.split(':');
  const version = Number(versionText);
  if (orderId === undefined || extra !== undefined || !Number.isInteger(version)) return null;
  return { orderId, version };
}
