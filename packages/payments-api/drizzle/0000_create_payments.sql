CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"order_id" text NOT NULL,
	"status" text NOT NULL,
	"amount" integer,
	"currency" char(3),
	"token_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"refunded_at" timestamp with time zone,
	CONSTRAINT "payments_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "payments_status_check" CHECK ("payments"."status" in ('confirmed', 'declined', 'refunded', 'voided')),
	CONSTRAINT "payments_charge_fields_check" CHECK ("payments"."status" = 'voided' or ("payments"."amount" is not null and "payments"."currency" is not null and "payments"."token_hash" is not null)),
	CONSTRAINT "payments_refunded_at_check" CHECK (("payments"."status" = 'refunded') = ("payments"."refunded_at" is not null))
);
