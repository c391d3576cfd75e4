// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { orderFixture } from '../../lib/graphql/order.fixtures.js';
import type { OrderNote } from '../../lib/graphql/order.types.js';
import { noteAuthorLabel, withKnownNotes, withNote } from './notes.js';

function note(id: string, second: number): OrderNote {
  return {
    id,
    text: `note ${id}`,
    visibility: 'PUBLIC',
    createdAt: new Date(Date.UTC(2024, 5, 1, 10, 0, second)).toISOString(),
    author: { kind: 'CUSTOMER', id: 'alice' },
  };
}

describe('notes', () => {
  it('names the author in words', () => {
    expect(noteAuthorLabel({ kind: 'ADMIN', id: 'ops' })).toBe('Admin ops');
    expect(noteAuthorLabel({ kind: 'CUSTOMER', id: 'alice' })).toBe('Customer alice');
    expect(noteAuthorLabel({ kind: 'PAYMENT_PROVIDER', id: null })).toBe('Payment provider');
  });

  it('adds a note once, oldest first', () => {
    const order = orderFixture(['CREATED'], { notes: [note('a', 1), note('c', 3)] });
    const added = withNote(order, note('b', 2));
    expect(added.notes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(withNote(added, note('b', 2))).toBe(added);
  });

  it('keeps a note the page shows when a snapshot read before it arrives', () => {
    const known = orderFixture(['CREATED'], { notes: [note('a', 1), note('mine', 5)] });
    const incoming = orderFixture(['CREATED', 'CONFIRMED'], {
      notes: [note('a', 1), note('theirs', 3)],
    });
    const merged = withKnownNotes(incoming, known);
    expect(merged.status).toBe('CONFIRMED');
    expect(merged.notes.map((n) => n.id)).toEqual(['a', 'theirs', 'mine']);
  });

  it('returns the snapshot itself when it already has every note', () => {
    const known = orderFixture(['CREATED'], { notes: [note('a', 1)] });
    const incoming = orderFixture(['CREATED'], { notes: [note('a', 1), note('b', 2)] });
    expect(withKnownNotes(incoming, known)).toBe(incoming);
    expect(withKnownNotes(incoming, null)).toBe(incoming);
  });
});
