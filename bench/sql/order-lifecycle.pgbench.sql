-- One whole order lifecycle, one order at a time, with the statements the services send
-- (copied from the server log of a real run; see bench/README.md for how each maps to the code).
-- pgbench runs it with -M extended: like postgres.js under drizzle, unnamed statements with
-- parameters, parsed and planned on every execution.

-- 1. createOrder: OrdersService.createOrder -> OrderStore.insertOrder, one transaction.
--    The id is a UUIDv7 (time-ordered, as newOrderId makes it); here the database makes it.
BEGIN;
insert into "orders" ("id", "status", "currency", "total", "cancellation_reason", "payment_token", "payment_id", "payment_attempts", "idempotency_key", "request_hash", "next_action", "next_action_at", "attempts", "claim_token", "version", "created_at", "updated_at")
  values ((lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid,
          'CREATED', 'EUR', 3750, default, 'tok_approve', default, default, NULL, NULL, 'PAY', now(), default, default, default, default, default)
  on conflict ("customer_id", "idempotency_key") do nothing returning "created_at", "id" \gset
insert into "order_items" ("order_id", "line", "sku", "name", "quantity", "unit_price") values (:id, 0, 'MUG-1', 'Mug', 2, 1250), (:id, 1, 'TEA-1', 'Tea', 1, 1250);
insert into "order_transitions" ("order_id", "seq", "from_status", "to_status", "reason", "at") values (:id, 1, NULL, 'CREATED', default, now());
select pg_notify('order_events', :id::text || ':1'), pg_notify('order_jobs', '');
COMMIT;

-- 2. The worker claims the payment job: OrderStore.claimPaymentJobs. The real statement takes
--    whichever due rows come first; `id = :id` makes each pgbench client claim its own order.
update orders o set
    next_action_at = now() + 10::float8 * interval '1 second',
    attempts = o.attempts + 1,
    payment_attempts = o.payment_attempts + (case when o.next_action = 'PAY' then 1 else 0 end),
    claim_token = gen_random_uuid()
  where o.id in (
    select id from orders
    where next_action in ('PAY', 'RELEASE_PAYMENT') and next_action_at <= now() and id = :id
    order by next_action_at limit 100
    for update skip locked
  )
  returning o.id, o.next_action, o.total, o.currency, o.payment_token, o.payment_id, o.attempts, o.claim_token;

-- 3. payments-api records the payment: PaymentsService.charge (look the key up, insert, read back).
select "id", "idempotency_key", "order_id", "status", "amount", "currency", "token_hash", "created_at", "updated_at", "refunded_at" from "payments" where "payments"."idempotency_key" = :id limit 1;
insert into "payments" ("id", "idempotency_key", "order_id", "status", "amount", "currency", "token_hash", "created_at", "updated_at", "refunded_at")
  values ((lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid,
          :id, :id, 'confirmed', 3750, 'EUR', 'ead247f36303ea42879e0ca3cb8c0c86b59469bee313b13c4abefbe7d7ab4674', default, default, default)
  on conflict ("idempotency_key") do nothing returning "id" as payment_id, "idempotency_key", "order_id", "status", "amount", "currency", "token_hash", "created_at", "updated_at", "refunded_at" \gset
select "id", "idempotency_key", "order_id", "status", "amount", "currency", "token_hash", "created_at", "updated_at", "refunded_at" from "payments" where "payments"."id" = :payment_id limit 1;

-- 4. The worker confirms: OrderStore.transition(ids, PAYMENT_CONFIRMED), with its history row,
--    the DELIVER job (delay 0) and the NOTIFY, in one statement.
with prev as (select id, status from orders
              where id in (:id) and status in ('CREATED')
              for update),
      upd as (
        update orders o set
          status = 'CONFIRMED'::order_status,
          version = o.version + 1,
          updated_at = greatest(statement_timestamp(), o.updated_at),
          cancellation_reason = NULL::text,
          next_action = 'DELIVER'::order_follow_up,
          next_action_at = greatest(statement_timestamp(), o.updated_at) + 0::float8 * interval '1 second',
          attempts = 0,
          claim_token = null,
          payment_token = null,
          payment_id = :payment_id::text
        from prev where o.id = prev.id
        returning o.id, prev.status as from_status, o.version, o.updated_at
      ),
      hist as (
        insert into order_transitions (order_id, seq, from_status, to_status, reason, at)
        select id, version, from_status, 'CONFIRMED'::order_status, NULL::text, updated_at from upd
      )
      select id, from_status, version, updated_at,
             pg_notify('order_events', id::text || ':' || version::text) as notified
      from upd;

-- 5. The worker delivers: OrderStore.transition(DELIVERY_DUE). The worker's statement takes up
--    to 200 due orders at once; one order at a time, it is this one.
with prev as (select id, status from orders
              where id in (:id) and status in ('CONFIRMED')
              for update),
      upd as (
        update orders o set
          status = 'DELIVERED'::order_status,
          version = o.version + 1,
          updated_at = greatest(statement_timestamp(), o.updated_at),
          cancellation_reason = NULL::text,
          next_action = NULL::order_follow_up,
          next_action_at = null,
          attempts = 0,
          claim_token = null,
          payment_token = null,
          payment_id = o.payment_id
        from prev where o.id = prev.id
        returning o.id, prev.status as from_status, o.version, o.updated_at
      ),
      hist as (
        insert into order_transitions (order_id, seq, from_status, to_status, reason, at)
        select id, version, from_status, 'DELIVERED'::order_status, NULL::text, updated_at from upd
      )
      select id, from_status, version, updated_at,
             pg_notify('order_events', id::text || ':' || version::text) as notified
      from upd;
