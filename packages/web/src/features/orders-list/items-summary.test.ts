// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { itemsSummary } from './items-summary.js';

describe('itemsSummary', () => {
  it('names the first item with its quantity and counts the rest', () => {
    expect(
      itemsSummary([
        { name: 'Mug', quantity: 2 },
        { name: 'Plate', quantity: 1 },
      ]),
    ).toBe('Mug × 2, +1 more');
    expect(
      itemsSummary([
        { name: 'Mug', quantity: 2 },
        { name: 'Plate', quantity: 1 },
        { name: 'Bowl', quantity: 4 },
      ]),
    ).toBe('Mug × 2, +2 more');
  });

  it('leaves out a quantity of one', () => {
    expect(itemsSummary([{ name: 'Mug', quantity: 1 }])).toBe('Mug');
  });

  it('shows a dash when there are no items', () => {
    expect(itemsSummary([])).toBe('—');
  });
});
