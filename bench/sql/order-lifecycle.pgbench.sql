-- One whole order lifecycle, one order at a time, with the statements the services send
-- (bench/README.md maps each to the code). pgbench runs it with -M prepared: the services'
-- hot statements are prepared once per connection and then only executed (postgres.js with
-- `prepare: true`), and so is every statement here. Lists the services pass as array
-- parameters are arrays of one element here; the per-rule parameters (states, follow-ups) are
-- written in. Run with -D log_xid=0 -D log_position=0 (each client's place in the log).

-- The order's id is a UUIDv7 (time-ordered, as newOrderId makes it); here the database makes
-- it from the statement's time and two random numbers, the same in every place it appears.
\set ra random(0, 4095)
\set rb random(0, 1152921504606846975)

-- 1. createOrder: OrderRepository.insert (INSERT_ORDERS), a batch of one order: the order, its
--    two items, its CREATED history row and its PAY job, one statement, committed on its own.
with created as (
    insert into orders (id, customer_id, currency, total, payment_token, idempotency_key,
                        request_hash, trace_parent, status, next_action, next_action_at)
    select i.id, i.customer_id, i.currency, i.total, i.payment_token, i.idempotency_key,
           i.request_hash, i.trace_parent, 'CREATED'::order_status, 'PAY'::order_follow_up, now()
    from unnest(array[(lpad(to_hex((extract(epoch from statement_timestamp()) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex(:ra::int), 3, '0') || '8' || lpad(to_hex(:rb::bigint), 15, '0'))::uuid]::uuid[],
                array['demo-customer']::text[], array['EUR']::text[], array[3750]::int[],
                array['tok_approve']::text[], array[null]::text[], array[null]::text[],
                array['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']::text[])
      as i(id, customer_id, currency, total, payment_token, idempotency_key, request_hash,
           trace_parent)
    on conflict (customer_id, idempotency_key) do nothing
    returning id, created_at
  ),
  lines as (
    insert into order_items (order_id, line, sku, name, quantity, unit_price)
    select l.order_id, l.line, l.sku, l.name, l.quantity, l.unit_price
    from unnest(array[(lpad(to_hex((extract(epoch from statement_timestamp()) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex(:ra::int), 3, '0') || '8' || lpad(to_hex(:rb::bigint), 15, '0'))::uuid,
                      (lpad(to_hex((extract(epoch from statement_timestamp()) * 1000)::bigint), 12, '0') || '7' || lpad(to_hex(:ra::int), 3, '0') || '8' || lpad(to_hex(:rb::bigint), 15, '0'))::uuid]::uuid[],
                array[0, 1]::smallint[], array['MUG-1', 'TEA-1']::text[], array['Mug', 'Tea']::text[],
                array[2, 1]::int[], array[1250, 1250]::int[])
      as l(order_id, line, sku, name, quantity, unit_price)
    join created on created.id = l.order_id
  ),
  history as (
    insert into order_transitions (order_id, seq, from_status, to_status, at, actor_kind, actor_id)
    select id, 1, null, 'CREATED'::order_status, created_at, 'CUSTOMER'::actor_kind, 'demo-customer' from created
  )
  select id, created_at from created \gset

-- 2. The worker claims the payment job: JobQueue.claimCalls (CLAIM). The real statement takes
--    whichever due rows come first; `and id = :id` makes each pgbench client claim its own order.
update orders o set
    next_action_at = now() + 10::float8 * interval '1 second',
    attempts = o.attempts + 1,
    payment_attempts = o.payment_attempts
      + (case when o.next_action = any('{PAY}'::text[]::order_follow_up[]) then 1 else 0 end),
    claim_token = gen_random_uuid()
  where o.id in (
    select id from orders
    where next_action = any('{PAY,RELEASE_PAYMENT}'::text[]::order_follow_up[]) and next_action_at <= now()
      and id = :id
    order by next_action_at limit 1
    for update skip locked
  )
  returning o.id, o.next_action, o.total, o.currency, o.payment_token, o.payment_id,
            o.attempts, o.claim_token, o.trace_parent;

-- 3. payments-api records the payment: POST /payments/batch, PaymentsService.chargeMany, a
--    batch of one: the insert (INSERT_CHARGES), then the read-back of what it created
--    (SELECT_BY_IDS). The payment's id is a UUIDv7 made by payments-api; here by the database.
insert into payments (id, idempotency_key, order_id, status, amount, currency, token_hash)
  select * from unnest(array[(lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid]::uuid[],
                       array[:id]::text[], array[:id]::text[], array['confirmed']::text[],
                       array[3750]::int[], array['EUR']::text[],
                       array['ead247f36303ea42879e0ca3cb8c0c86b59469bee313b13c4abefbe7d7ab4674']::text[])
  on conflict (idempotency_key) do nothing
  returning id, idempotency_key as "idempotencyKey", order_id as "orderId", status, amount, currency,
    token_hash as "tokenHash", created_at as "createdAt", updated_at as "updatedAt",
    refunded_at as "refundedAt" \gset pay_
select id, idempotency_key as "idempotencyKey", order_id as "orderId", status, amount, currency,
    token_hash as "tokenHash", created_at as "createdAt", updated_at as "updatedAt",
    refunded_at as "refundedAt"
  from payments where id = any(array[:pay_id]::uuid[]);

-- 4. The worker confirms: OrderTransitions.apply by ids (PAYMENT_CONFIRMED), a batch of one:
--    the guarded update, its history row and the DELIVER job (delay 0), one statement.
with input as (
    select * from unnest(array[:id]::uuid[], array[:pay_id]::text[]) as i(id, payment_id)
  ),
  prev as (
    select o.id, o.status, input.payment_id from orders o join input on input.id = o.id
    where o.status = any('{CREATED}'::text[]::order_status[])
    order by o.id
    for update of o
  ),
  upd as (
    update orders o set
      status = 'CONFIRMED'::order_status,
      version = o.version + 1,
      updated_at = greatest(statement_timestamp(), o.updated_at),
      cancellation_reason = null::text,
      next_action = 'DELIVER'::order_follow_up,
      next_action_at = case when 'DELIVER'::order_follow_up is not null
                         then greatest(statement_timestamp(), o.updated_at) + 0::float8 * interval '1 second' end,
      attempts = 0,
      claim_token = null,
      payment_token = null,
      payment_id = coalesce(prev.payment_id, o.payment_id)
    from prev where o.id = prev.id
    returning o.id, prev.status as from_status, o.version, o.updated_at, o.next_action
  ),
  hist as (
    insert into order_transitions (order_id, seq, from_status, to_status, reason, at, actor_kind, actor_id)
    select id, version, from_status, 'CONFIRMED'::order_status, null::text, updated_at,
           'PAYMENT_PROVIDER'::actor_kind, null::text from upd
  )
  select id, from_status, version, updated_at from upd;

-- 5. The worker delivers: OrderTransitions.apply by due (DELIVERY_DUE), every due order up to
--    WORKER_BATCH_SIZE (200) as the worker does. Run by every client after its confirmation, it
--    delivers its own order unless another client's statement has just taken it: one delivery
--    per order in all, and none left over (with `limit 1`, a client whose order another took
--    could find nothing and leave one behind).
with prev as (
    select id, status, null::text as payment_id from orders
    where next_action = 'DELIVER'::order_follow_up and next_action_at <= now()
      and status = any('{CONFIRMED}'::text[]::order_status[])
    order by next_action_at limit 200
    for update skip locked
  ),
  upd as (
    update orders o set
      status = 'DELIVERED'::order_status,
      version = o.version + 1,
      updated_at = greatest(statement_timestamp(), o.updated_at),
      cancellation_reason = null::text,
      next_action = null::order_follow_up,
      next_action_at = case when null::order_follow_up is not null
                         then greatest(statement_timestamp(), o.updated_at) + 0::float8 * interval '1 second' end,
      attempts = 0,
      claim_token = null,
      payment_token = null,
      payment_id = coalesce(prev.payment_id, o.payment_id)
    from prev where o.id = prev.id
    returning o.id, prev.status as from_status, o.version, o.updated_at, o.next_action
  ),
  hist as (
    insert into order_transitions (order_id, seq, from_status, to_status, reason, at, actor_kind, actor_id)
    select id, version, from_status, 'DELIVERED'::order_status, null::text, updated_at,
           'SYSTEM'::actor_kind, null::text from upd
  )
  select id, from_status, version, updated_at from upd;

-- 6. The event stream: TransitionLog.read, the next entries after this client's place in the
--    log (three: one order's worth). A process with subscribers then loads the changed orders
--    (FIND_MANY); the lifecycle scenario has none, and neither has this script.
select t.xid::text as xid, t.position::text as position, t.order_id, t.seq, t.from_status,
       t.to_status, t.at, t.reason
  from order_transitions t
  where (t.xid, t.position) > (:log_xid::xid8, :log_position::bigint)
    and t.xid < pg_snapshot_xmin(pg_current_snapshot())
  order by t.xid, t.position
  limit 3 \aset log_
