-- The orders list filters, searches and sorts. Search looks for a substring of the customer's
-- name or email or of an item's SKU or name: those are kept, lower-cased, one per line, in
-- search_text (written with the order by @oms/order-lifecycle's orderSearchText), under a
-- trigram index so that '%mug%' does not read the whole table. Each sort has an index in the
-- same (DESC NULLS LAST) order as orders_newest_idx, read backwards for ASC; NUMBER has its
-- unique constraint's index.
CREATE EXTENSION IF NOT EXISTS "pg_trgm";
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "search_text" text DEFAULT '' NOT NULL;
--> statement-breakpoint
-- Existing orders, as orderSearchText writes them (customer only when both parts are known).
UPDATE "orders" o SET "search_text" = lower(concat_ws(E'\n',
  CASE WHEN o."customer_name" IS NOT NULL AND o."customer_email" IS NOT NULL
       THEN o."customer_name" || E'\n' || o."customer_email" END,
  (SELECT string_agg(i."sku" || E'\n' || i."name", E'\n' ORDER BY i."line")
     FROM "order_items" i WHERE i."order_id" = o."id")));
--> statement-breakpoint
CREATE INDEX "orders_search_idx" ON "orders" USING gin ("search_text" gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX "orders_updated_idx" ON "orders" USING btree ("updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);
--> statement-breakpoint
CREATE INDEX "orders_total_idx" ON "orders" USING btree ("total" DESC NULLS LAST,"id" DESC NULLS LAST);
