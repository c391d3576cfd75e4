-- Counters for orderStats, kept by the database so reading them costs the same at any size.
-- A statement-level trigger on order_transitions (every status change writes exactly one row
-- there, in the statement that makes it) adds each statement's changes in one upsert per table.
-- Rows are sharded by the writing backend (pg_backend_pid() % 32): concurrent transactions,
-- from one process or several, mostly update different rows instead of queueing on one lock.
-- Readers sum the shards. Which statuses count as revenue is not written here: the totals are
-- kept per status and currency, and the application applies the lifecycle's REVENUE_STATUSES.
CREATE TABLE "order_stats_totals" (
	"status" "order_status" NOT NULL,
	"currency" char(3) NOT NULL,
	"shard" smallint NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	"amount" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "order_stats_totals_pk" PRIMARY KEY("status","currency","shard")
);
--> statement-breakpoint
CREATE TABLE "order_stats_minutes" (
	"minute" timestamp (3) with time zone NOT NULL,
	"shard" smallint NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "order_stats_minutes_pk" PRIMARY KEY("minute","shard")
);
--> statement-breakpoint
CREATE FUNCTION "order_stats_count"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	my_shard smallint := pg_backend_pid() % 32;
BEGIN
	-- An order's currency and total never change, so a move from one status to another is -1
	-- and -total there, +1 and +total here.
	INSERT INTO order_stats_totals AS t (status, currency, shard, count, amount)
	SELECT d.status, o.currency, my_shard, sum(d.sign), sum(d.sign * o.total::bigint)
	FROM (
		SELECT n.order_id, n.to_status AS status, 1 AS sign FROM order_stats_new n
		UNION ALL
		SELECT n.order_id, n.from_status, -1 FROM order_stats_new n WHERE n.from_status IS NOT NULL
	) d
	JOIN orders o ON o.id = d.order_id
	GROUP BY d.status, o.currency
	ORDER BY d.status, o.currency
	ON CONFLICT (status, currency, shard)
	DO UPDATE SET count = t.count + excluded.count, amount = t.amount + excluded.amount;

	INSERT INTO order_stats_minutes AS m (minute, shard, count)
	SELECT date_trunc('minute', n.at), my_shard, count(*)
	FROM order_stats_new n
	WHERE n.from_status IS NULL
	GROUP BY 1
	ORDER BY 1
	ON CONFLICT (minute, shard) DO UPDATE SET count = m.count + excluded.count;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "order_stats_count" AFTER INSERT ON "order_transitions"
	REFERENCING NEW TABLE AS order_stats_new
	FOR EACH STATEMENT EXECUTE FUNCTION "order_stats_count"();
--> statement-breakpoint
-- The orders that exist already, in shard 0 (inside the migration's transaction, with the trigger
-- in place: nothing written concurrently is counted twice or missed).
LOCK TABLE "order_transitions" IN SHARE MODE;
--> statement-breakpoint
INSERT INTO "order_stats_totals" ("status", "currency", "shard", "count", "amount")
SELECT "status", "currency", 0, count(*), sum("total"::bigint) FROM "orders" GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO "order_stats_minutes" ("minute", "shard", "count")
SELECT date_trunc('minute', "at"), 0, count(*) FROM "order_transitions"
WHERE "from_status" IS NULL GROUP BY 1;
--> statement-breakpoint
-- A customer's figures are read from their own rows: this covers both reads (index only).
CREATE INDEX "orders_customer_stats_idx" ON "orders" USING btree ("customer_id","status","currency") INCLUDE ("total","created_at");
