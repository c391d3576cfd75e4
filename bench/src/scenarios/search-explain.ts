import {
  DEFAULT_ORDER_SORT,
  type OrderQuery,
  type OrderSortField,
  type OrderStatus,
} from '@oms/order-lifecycle';
import { listStatement, pageStatement } from '@oms/orders-api/list-statements';
import postgres from 'postgres';

/** The list variables of a search shape, as the bench sends them over GraphQL. */
export interface ShapeVariables {
  status?: OrderStatus;
  filter?: {
    status?: OrderStatus[];
    createdAfter?: string;
    createdBefore?: string;
    totalMin?: number;
    totalMax?: number;
    currency?: string;
    customerId?: string;
  };
  search?: string;
  orderBy?: OrderQuery['orderBy'];
}

export interface ShapePlan {
  shape: string;
  page: 'first' | 'deep';
  /** The plan's scan and sort nodes, one line each, as EXPLAIN names them. */
  nodes: string[];
  executionMs: number;
  plan: string;
}

/** What the GraphQL variables ask for, as orders-api's service hands it to the repository. */
function toQuery(v: ShapeVariables): OrderQuery {
  const f = v.filter ?? {};
  const at = (value: string | undefined) => (value === undefined ? null : new Date(value));
  return {
    filter: {
      ...f,
      status: v.status !== undefined ? [v.status] : (f.status ?? null),
      createdAfter: at(f.createdAfter),
      createdBefore: at(f.createdBefore),
    },
    search: v.search ?? null,
    orderBy: v.orderBy ?? DEFAULT_ORDER_SORT,
  };
}

const KEY: Record<OrderSortField, string> = {
  CREATED_AT: 'created_at',
  UPDATED_AT: 'updated_at',
  TOTAL: 'total',
  NUMBER: 'number',
};

/**
 * EXPLAIN (ANALYZE, BUFFERS) of orders-api's own page statement for each shape: its first page,
 * and the page after `deepRows` rows (keyset, from the row there), as an admin sees them.
 */
export async function explainShapes(
  url: string,
  shapes: { name: string; variables: ShapeVariables }[],
  pageSize: number,
  deepRows: number,
): Promise<ShapePlan[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const plans: ShapePlan[] = [];
  try {
    for (const shape of shapes) {
      const query = toQuery(shape.variables);
      const base = { limit: pageSize + 1, query, after: null, customerId: null };
      plans.push(await explain(sql, shape.name, 'first', pageStatement(base)));
      const field = KEY[query.orderBy.field];
      const upTo = listStatement(`o.id, o.${field} as key`, { ...base, limit: deepRows });
      const rows = await sql.unsafe<{ id: string; key: Date | number }[]>(
        upTo.text,
        upTo.params as never[],
      );
      const last = rows.at(-1);
      if (rows.length < deepRows || last === undefined) continue;
      const after = { value: last.key, id: last.id };
      plans.push(await explain(sql, shape.name, 'deep', pageStatement({ ...base, after })));
    }
  } finally {
    await sql.end();
  }
  return plans;
}

async function explain(
  sql: postgres.Sql,
  shape: string,
  page: 'first' | 'deep',
  statement: { text: string; params: unknown[] },
): Promise<ShapePlan> {
  const rows = await sql.unsafe<{ 'QUERY PLAN': string }[]>(
    `explain (analyze, buffers, costs off) ${statement.text}`,
    statement.params as never[],
  );
  const lines = rows.map((r) => r['QUERY PLAN']);
  // The outer statement's nodes: the items and history subplans are the same for every shape.
  const outer: string[] = [];
  let subPlanIndent: number | null = null;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (subPlanIndent !== null && indent > subPlanIndent) continue;
    subPlanIndent = line.trimStart().startsWith('SubPlan') ? indent : null;
    if (subPlanIndent === null) outer.push(line);
  }
  const nodes = outer
    .filter(
      (l) => /Scan|Sort|Limit|Append|BitmapAnd|BitmapOr/.test(l) && !/Sort (Key|Method)/.test(l),
    )
    .map((l) =>
      l
        .replace(/\(actual.*$/, '')
        .replace(/->\s*/, '')
        .trim(),
    );
  const execution = lines.find((l) => l.startsWith('Execution Time'));
  return {
    shape,
    page,
    nodes,
    executionMs: Number(/([\d.]+) ms/.exec(execution ?? '')?.[1] ?? Number.NaN),
    plan: lines.join('\n'),
  };
}
