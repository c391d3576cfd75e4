-- Orders belong to a customer (existing rows to the demo customer), and idempotency keys are
-- unique per customer: another customer's key neither collides with nor reveals an order.
ALTER TABLE "orders" DROP CONSTRAINT "orders_idempotency_key_key";--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "customer_id" text DEFAULT 'demo-customer' NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_customer_newest_idx" ON "orders" USING btree ("customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_idempotency_key_key" UNIQUE("customer_id","idempotency_key");