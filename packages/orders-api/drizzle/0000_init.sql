CREATE TYPE "public"."order_follow_up" AS ENUM('PAY', 'DELIVER', 'RELEASE_PAYMENT');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('CREATED', 'CONFIRMED', 'DELIVERED', 'CANCELLED');--> statement-breakpoint
CREATE TABLE "order_items" (
	"order_id" uuid NOT NULL,
	"line" smallint NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" integer NOT NULL,
	CONSTRAINT "order_items_order_id_line_pk" PRIMARY KEY("order_id","line"),
	CONSTRAINT "order_items_quantity_in_range" CHECK ("order_items"."quantity" between 1 and 10000),
	CONSTRAINT "order_items_unit_price_in_range" CHECK ("order_items"."unit_price" >= 0)
);
--> statement-breakpoint
CREATE TABLE "order_transitions" (
	"order_id" uuid NOT NULL,
	"seq" smallint NOT NULL,
	"from_status" "order_status",
	"to_status" "order_status" NOT NULL,
	"reason" text,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "order_transitions_order_id_seq_pk" PRIMARY KEY("order_id","seq")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" "order_status" NOT NULL,
	"currency" char(3) NOT NULL,
	"total" integer NOT NULL,
	"cancellation_reason" text,
	"payment_token" text,
	"payment_id" text,
	"payment_attempts" integer DEFAULT 0 NOT NULL,
	"idempotency_key" text,
	"request_hash" text,
	"next_action" "order_follow_up",
	"next_action_at" timestamp (3) with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claim_token" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_idempotency_key_key" UNIQUE("idempotency_key"),
	CONSTRAINT "orders_total_in_range" CHECK ("orders"."total" >= 0),
	CONSTRAINT "orders_currency_iso" CHECK ("orders"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "orders_cancellation_reason_iff_cancelled" CHECK (("orders"."status" = 'CANCELLED') = ("orders"."cancellation_reason" is not null)),
	CONSTRAINT "orders_next_action_has_time" CHECK (("orders"."next_action" is null) = ("orders"."next_action_at" is null))
);
--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_transitions" ADD CONSTRAINT "order_transitions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_due_idx" ON "orders" USING btree ("next_action_at") WHERE "orders"."next_action" is not null;--> statement-breakpoint
CREATE INDEX "orders_newest_idx" ON "orders" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_status_newest_idx" ON "orders" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);