/** The list's one-line account of an order's items: `Mug × 2, +1 more`. */
export function itemsSummary(items: readonly { name: string; quantity: number }[]): string {
  const [first, ...rest] = items;
  if (first === undefined) return '—';
  const head = first.quantity === 1 ? first.name : `${first.name} × ${first.quantity}`;
  return rest.length === 0 ? head : `${head}, +${rest.length} more`;
}
