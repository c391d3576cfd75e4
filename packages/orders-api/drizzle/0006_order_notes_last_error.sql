-- Notes on orders (PUBLIC for anyone who may read the order, INTERNAL for admins), and why the
-- last attempt at an order's pending job failed (existing orders: none recorded).
CREATE TYPE "public"."note_visibility" AS ENUM('PUBLIC', 'INTERNAL');--> statement-breakpoint
CREATE TABLE "order_notes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"text" text NOT NULL,
	"visibility" "note_visibility" NOT NULL,
	"author_kind" "actor_kind" NOT NULL,
	"author_id" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_notes_text_length" CHECK (char_length("order_notes"."text") between 1 and 2000)
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "order_notes" ADD CONSTRAINT "order_notes_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_notes_order_idx" ON "order_notes" USING btree ("order_id","created_at","id");