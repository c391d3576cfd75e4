import type { Order, OrderNote } from '../../lib/graphql/order.types.js';

type Author = OrderNote['author'];

/** Who wrote a note, in words ("Admin ops-7", "Customer alice"). */
export function noteAuthorLabel(author: Author): string {
  const kind = {
    CUSTOMER: 'Customer',
    ADMIN: 'Admin',
    SYSTEM: 'System',
    PAYMENT_PROVIDER: 'Payment provider',
  }[author.kind];
  return author.id === null ? kind : `${kind} ${author.id}`;
}

/** Oldest first, as the API lists them; the id breaks a tie so the order never flickers. */
function byCreation(a: OrderNote, b: OrderNote): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}

/**
 * The notes of `incoming` plus any in `known` it lacks, oldest first. Notes are never edited or
 * removed, so a note the page already shows (one just added here, say) stays when a snapshot
 * read a moment before it was written arrives later. Returns `incoming` itself when it already
 * has them all.
 */
export function withKnownNotes(incoming: Order, known: Order | null): Order {
  if (known === null) return incoming;
  const ids = new Set(incoming.notes.map((note) => note.id));
  const missing = known.notes.filter((note) => !ids.has(note.id));
  if (missing.length === 0) return incoming;
  return { ...incoming, notes: [...incoming.notes, ...missing].sort(byCreation) };
}

/** The order with `note` among its notes (once), oldest first. */
export function withNote(order: Order, note: OrderNote): Order {
  if (order.notes.some((n) => n.id === note.id)) return order;
  return { ...order, notes: [...order.notes, note].sort(byCreation) };
}
