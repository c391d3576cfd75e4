import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatMajorUnits, orderQueryFromSearchParams } from '@oms/order-lifecycle';
import { stringify } from 'csv-stringify';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { OrderExportRow } from '../domain/order-ports.js';
import { OrderError, badInput } from '../domain/order-errors.js';
import type { OrdersService } from '../domain/orders.service.js';
import { principalOfRequest } from './access.js';

/** The columns of the export, in order; their names are part of the contract. */
const COLUMNS = [
  'number',
  'id',
  'status',
  'created_at',
  'updated_at',
  'customer_name',
  'customer_email',
  'currency',
  'total',
  'total_minor',
  'items',
  'ship_country',
] as const;

function toRecord(order: OrderExportRow): Record<(typeof COLUMNS)[number], string | number> {
  return {
    number: order.number,
    id: order.id,
    status: order.status,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
    customer_name: order.customerName ?? '',
    customer_email: order.customerEmail ?? '',
    currency: order.currency,
    total: formatMajorUnits(order.total, order.currency),
    total_minor: order.total,
    items: order.items.map((i) => `${i.quantity} x ${i.name} (${i.sku})`).join('; '),
    ship_country: order.shipCountry ?? '',
  };
}

/**
 * `GET /orders.csv`: the caller's orders that match the list's filter, search and sort, given as
 * the list's URL parameters, as RFC 4180 CSV (CRLF, quoted where needed). Cells that a
 * spreadsheet would run as a formula get a leading `'` (csv-stringify's escape_formulas). Rows
 * are read `batchSize` at a time as the client takes them, so memory stays flat for any
 * number of orders; a client that goes away stops the reading. Mounted behind requireBearer.
 */
export function serveOrdersExport(
  orders: OrdersService,
  batchSize: number,
  log: Logger,
): RequestHandler {
  return (req, res, next) => {
    const principal = principalOfRequest(req);
    const params = new URL(req.originalUrl, 'http://localhost').searchParams;
    const { query, errors } = orderQueryFromSearchParams(params);
    try {
      if (errors.length > 0) throw badInput(errors);
      orders.checkListQuery(principal, query, 'url');
    } catch (error) {
      if (error instanceof OrderError && error.code === 'BAD_USER_INPUT') {
        res.status(400).json({
          error: { code: error.code, message: error.message, fields: error.details.fields },
        });
        return;
      }
      next(error);
      return;
    }
    void stream(orders.exportOrders(principal, query, batchSize));

    async function stream(batches: AsyncGenerator<OrderExportRow[]>): Promise<void> {
      // The first batch before the first byte: a database that cannot answer is still an
      // ordinary error response rather than a broken download.
      let first: IteratorResult<OrderExportRow[]>;
      try {
        first = await batches.next();
      } catch (error) {
        next(error);
        return;
      }
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      res.status(200).set({
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="orders-${stamp}.csv"`,
        'cache-control': 'no-store',
      });
      const records = Readable.from(
        (async function* () {
          if (first.done === true) return;
          for (const order of first.value) yield toRecord(order);
          for await (const batch of batches) {
            for (const order of batch) yield toRecord(order);
          }
        })(),
      );
      const csv = stringify({
        header: true,
        columns: [...COLUMNS],
        record_delimiter: 'windows',
        escape_formulas: true,
      });
      try {
        await pipeline(records, csv, res);
      } catch (error) {
        // A client that went away stopped the reading with it. Otherwise the only honest answer
        // left is the broken transfer (pipeline destroyed the response), never a file that
        // looks complete but is not.
        if (!isPrematureClose(error)) log.error({ err: error }, 'orders export failed part way');
      }
    }
  };
}

function isPrematureClose(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}
