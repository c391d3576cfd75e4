import type { ActorKind, NoteVisibility } from '@oms/order-lifecycle';
import DataLoader from 'dataloader';
import type { NewNote, OrderNotes } from '../domain/order-ports.js';
import type { NoteView } from '../domain/order.model.js';
import { toDate, type SqlClient } from './sql.js';

/** Writes the note only onto an order the writer may see: one statement, no read before it. */
const ADD = `
  insert into order_notes (id, order_id, text, visibility, author_kind, author_id)
  select $1::uuid, o.id, $3::text, $4::text::note_visibility, $5::text::actor_kind, $6::text
  from orders o
  where o.id = $2::uuid and ($7::text is null or o.customer_id = $7::text)
  returning id, order_id, text, visibility, author_kind, author_id, created_at`;

/** The notes of many orders at once, oldest first; INTERNAL ones only when $2. */
const LIST = `
  select id, order_id, text, visibility, author_kind, author_id, created_at
  from order_notes
  where order_id = any($1::uuid[]) and (visibility = 'PUBLIC' or $2::boolean)
  order by order_id, created_at, id`;

interface NoteRow {
  id: string;
  order_id: string;
  text: string;
  visibility: NoteVisibility;
  author_kind: ActorKind;
  author_id: string | null;
  created_at: Date | string;
}

/**
 * Notes on orders. Reads are batched: every `listFor` made in the same turn of the event loop
 * (a page of orders asking for their notes, concurrent requests) is answered by one statement
 * per visibility, so a list never reads notes order by order. Nothing is cached between turns,
 * so a later read (the next subscription event) sees notes added meanwhile.
 */
export class SqlOrderNotes implements OrderNotes {
  private readonly loaders: Record<'all' | 'public', DataLoader<string, NoteView[]>>;

  constructor(private readonly db: SqlClient) {
    const loader = (includeInternal: boolean) =>
      new DataLoader<string, NoteView[]>((ids) => this.read(ids, includeInternal), {
        cache: false,
        maxBatchSize: 500,
      });
    this.loaders = { all: loader(true), public: loader(false) };
  }

  async add(note: NewNote): Promise<NoteView | null> {
    const [row] = await this.db.query<NoteRow>(ADD, [
      note.id,
      note.orderId,
      note.text,
      note.visibility,
      note.author.kind,
      note.author.id,
      note.customerId,
    ]);
    return row === undefined ? null : toNote(row);
  }

  listFor(orderId: string, includeInternal: boolean): Promise<NoteView[]> {
    return this.loaders[includeInternal ? 'all' : 'public'].load(orderId);
  }

  private async read(ids: readonly string[], includeInternal: boolean): Promise<NoteView[][]> {
    const rows = await this.db.query<NoteRow>(LIST, [ids, includeInternal]);
    const byOrder = new Map<string, NoteView[]>();
    for (const row of rows) {
      const notes = byOrder.get(row.order_id) ?? [];
      notes.push(toNote(row));
      byOrder.set(row.order_id, notes);
    }
    return ids.map((id) => byOrder.get(id) ?? []);
  }
}

function toNote(row: NoteRow): NoteView {
  return {
    id: row.id,
    text: row.text,
    visibility: row.visibility,
    author: { kind: row.author_kind, id: row.author_id },
    createdAt: toDate(row.created_at),
  };
}
