-- EXPLAIN (ANALYZE, BUFFERS) of the main list and orderStats statements on the search bench's
-- database (1,000,000 orders from the seed generator):
--   psql postgres://postgres@127.0.0.1:5432/oms_search_1m -f bench/sql/search-explain.sql
-- The statements are orders-api's own (src/persistence/order-repository.ts, order-stats.ts),
-- with the page's VIEW_COLUMNS shortened to the columns that decide the plan.
\set customer '''customer-000123'''

-- orderStats for an admin: the counters (a few dozen rows whatever the number of orders).
explain (analyze, buffers, costs off)
select status, currency, sum(count)::text as count, sum(amount)::text as amount
from order_stats_totals group by status, currency;

explain (analyze, buffers, costs off)
select minute, sum(count)::text as count, date_trunc('minute', now()) as current_minute
from order_stats_minutes
where minute > date_trunc('minute', now()) - make_interval(mins => 60)
group by minute;

-- orderStats for a customer: their own rows, index only.
explain (analyze, buffers, costs off)
select status, currency, count(*)::text as count, sum(total)::text as amount
from orders where customer_id = :customer group by status, currency;

explain (analyze, buffers, costs off)
select date_trunc('minute', created_at) as minute, count(*)::text as count
from orders
where customer_id = :customer
  and created_at >= date_trunc('minute', now()) - make_interval(mins => 59)
group by 1;

-- What orderStats would cost without the counters: every row.
explain (analyze, buffers, costs off)
select status, currency, count(*), sum(total) from orders group by status, currency;

-- The list, newest first: first page, and a page 50 pages down (keyset).
explain (analyze, buffers, costs off)
select o.id, o.number, o.status, o.total,
  (select json_agg(json_build_array(i.sku, i.name, i.quantity, i.unit_price) order by i.line)
     from order_items i where i.order_id = o.id) as items
from orders o order by o.created_at desc nulls last, o.id desc nulls last limit 21;

explain (analyze, buffers, costs off)
select o.id, o.number, o.status, o.total
from orders o
where (o.created_at, o.id) < (
  select created_at, id from orders order by created_at desc nulls last, id desc nulls last offset 1000 limit 1)
order by o.created_at desc nulls last, o.id desc nulls last limit 21;

-- One status, and a customer's list.
explain (analyze, buffers, costs off)
select o.id from orders o where o.status = 'CANCELLED'::order_status
order by o.created_at desc nulls last, o.id desc nulls last limit 21;

explain (analyze, buffers, costs off)
select o.id from orders o where o.customer_id = :customer
order by o.created_at desc nulls last, o.id desc nulls last limit 21;
