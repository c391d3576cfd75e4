import { parseOrderSearch, type OrderSortField } from '@oms/order-lifecycle';
import type { OrderPageQuery } from '../domain/order-ports.js';

/**
 * Each sort's column and index. The indexes are `DESC NULLS LAST` (the unique constraint on
 * number is `ASC NULLS LAST`); an ORDER BY must name the same null placement, or the read
 * backwards, for PostgreSQL to walk the index instead of sorting the table, although no column
 * here is ever null. Ties go by id in the same direction; number is unique and needs no tie.
 */
const SORTS: Record<
  OrderSortField,
  { column: string; cast: string; indexDescending: boolean; unique: boolean }
> = {
  CREATED_AT: { column: 'o.created_at', cast: 'timestamptz', indexDescending: true, unique: false },
  UPDATED_AT: { column: 'o.updated_at', cast: 'timestamptz', indexDescending: true, unique: false },
  TOTAL: { column: 'o.total', cast: 'int', indexDescending: true, unique: false },
  NUMBER: { column: 'o.number', cast: 'int', indexDescending: false, unique: true },
};

/** `%`, `_` and the escape character itself match only themselves in the pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The statement for one page of a list: `select <columns> from orders o where … order by …
 * limit …`, with its parameters. Only the parts a query uses are written, so each combination
 * is its own prepared statement, planned for the indexes it can use.
 */
export function listStatement(
  columns: string,
  { limit, query, after, customerId }: OrderPageQuery,
): { text: string; params: unknown[] } {
  const params: unknown[] = [limit];
  const param = (value: unknown, cast: string) => {
    // Instants as text: the drivers differ in how (and whether) they send a Date.
    params.push(value instanceof Date ? value.toISOString() : value);
    return `$${params.length}::${cast}`;
  };
  const where: string[] = [];
  const { filter, orderBy } = query;
  if (customerId !== null) where.push(`o.customer_id = ${param(customerId, 'text')}`);
  if (filter.customerId !== undefined && filter.customerId !== null) {
    where.push(`o.customer_id = ${param(filter.customerId, 'text')}`);
  }
  const statuses = filter.status ?? [];
  // One status as `=`, so the status index applies as it did before there were several.
  if (statuses.length === 1) where.push(`o.status = ${param(statuses[0], 'order_status')}`);
  // Sent as text[]: PGlite writes arrays only of the types it knows.
  if (statuses.length > 1)
    where.push(`o.status = any(${param(statuses, 'text[]')}::order_status[])`);
  if (filter.createdAfter)
    where.push(`o.created_at >= ${param(filter.createdAfter, 'timestamptz')}`);
  if (filter.createdBefore)
    where.push(`o.created_at < ${param(filter.createdBefore, 'timestamptz')}`);
  if (typeof filter.totalMin === 'number')
    where.push(`o.total >= ${param(filter.totalMin, 'int')}`);
  if (typeof filter.totalMax === 'number')
    where.push(`o.total <= ${param(filter.totalMax, 'int')}`);
  if (filter.currency) where.push(`o.currency = ${param(filter.currency, 'char(3)')}`);
  const search = parseOrderSearch(query.search);
  if (search?.kind === 'number') {
    // A number no order can have finds nothing, rather than failing as an int.
    where.push(
      search.number <= 2_147_483_647 ? `o.number = ${param(search.number, 'int')}` : 'false',
    );
  } else if (search?.kind === 'text') {
    where.push(`o.search_text like ${param(`%${likeLiteral(search.text)}%`, 'text')}`);
  }
  const sort = SORTS[orderBy.field];
  const descending = orderBy.direction === 'DESC';
  if (after !== null) {
    const beyond = descending ? '<' : '>';
    const value = param(
      after.value instanceof Date ? after.value.toISOString() : after.value,
      sort.cast,
    );
    where.push(
      sort.unique
        ? `${sort.column} ${beyond} ${value}`
        : `(${sort.column}, o.id) ${beyond} (${value}, ${param(after.id, 'uuid')})`,
    );
  }
  // Every index here is NULLS LAST: that read forwards, NULLS FIRST read backwards.
  const forwards = descending === sort.indexDescending;
  const nulls = forwards ? 'nulls last' : 'nulls first';
  const direction = `${descending ? 'desc' : 'asc'} ${nulls}`;
  const order = sort.unique
    ? `${sort.column} ${direction}`
    : `${sort.column} ${direction}, o.id ${direction}`;
  const conditions = where.length === 0 ? '' : `where ${where.join(' and ')}`;
  return {
    text: `select ${columns} from orders o ${conditions} order by ${order} limit $1`,
    params,
  };
}
