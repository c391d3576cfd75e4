import postgres from 'postgres';
import { postGraphQL } from '../graphql-http.js';
import { orderFacts, type OrderFacts } from './invariant-checks.js';

/** Where the orders are read: the API over HTTP, or the orders database itself. */
export interface OrderSource {
  /** GraphQL over HTTP of any orders-api serving the database (read when no URL is given). */
  graphqlUrl?: string;
  /**
   * The orders database on a PostgreSQL server: histories are then read with SQL, independent of
   * the API (and of any process still running).
   */
  ordersDatabaseUrl?: string;
}

interface HistoryRow {
  id: string;
  status: string;
  total: number;
  cancellation_reason: string | null;
  history: { from: string | null; to: string }[];
}

/** Reads every order with its history: by SQL on a server, else GraphQL. */
export class OrderReader {
  private constructor(
    private readonly source: OrderSource,
    private readonly sql: postgres.Sql | null,
  ) {}

  static open(source: OrderSource): OrderReader {
    if (source.ordersDatabaseUrl !== undefined) {
      // Reads only: the schema is the service's, migrated by the service.
      const sql = postgres(source.ordersDatabaseUrl, { max: 2, onnotice: () => undefined });
      return new OrderReader(source, sql);
    }
    if (source.graphqlUrl === undefined) {
      throw new Error('reading orders needs graphqlUrl or ordersDatabaseUrl');
    }
    return new OrderReader(source, null);
  }

  async read(): Promise<OrderFacts[]> {
    return this.sql === null ? this.readGraphQL() : this.readSql(this.sql);
  }

  async close(): Promise<void> {
    await this.sql?.end();
  }

  private async readSql(sql: postgres.Sql): Promise<OrderFacts[]> {
    const rows = await sql<HistoryRow[]>`
      select o.id, o.status::text as status, o.total, o.cancellation_reason,
             coalesce(json_agg(json_build_object('from', t.from_status, 'to', t.to_status)
                               order by t.seq) filter (where t.seq is not null), '[]') as history
      from orders o left join order_transitions t on t.order_id = o.id
      group by o.id`;
    return rows.map((row) =>
      orderFacts(row.id, row.status, row.total, row.cancellation_reason, row.history),
    );
  }

  private async readGraphQL(): Promise<OrderFacts[]> {
    const url = this.source.graphqlUrl ?? '';
    const all: OrderFacts[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page = await readPage(url, after);
      for (const node of page.nodes) {
        all.push(
          orderFacts(node.id, node.status, node.total, node.cancellationReason, node.history),
        );
      }
      if (!page.hasNextPage) return all;
      after = page.endCursor;
    }
  }
}

const PAGE = `query Page($after: String) { orders(first: 100, after: $after) {
  edges { node { id status total cancellationReason history { from to } } }
  pageInfo { hasNextPage endCursor } } }`;

interface PageNode {
  id: string;
  status: string;
  total: number;
  cancellationReason: string | null;
  history: { from: string | null; to: string }[];
}

interface Page {
  nodes: PageNode[];
  hasNextPage: boolean;
  endCursor: string | null;
}

async function readPage(url: string, after: string | null): Promise<Page> {
  const result = await postGraphQL<{
    orders: {
      edges: { node: PageNode }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }>(url, PAGE, { after });
  if (!result.data) throw new Error(`orders query failed: ${JSON.stringify(result.errors)}`);
  const { edges, pageInfo } = result.data.orders;
  return {
    nodes: edges.map((e) => e.node),
    hasNextPage: pageInfo.hasNextPage,
    endCursor: pageInfo.endCursor,
  };
}
