-- The transition history doubles as the ordered log that events are read from: each row keeps
-- the id of the transaction that wrote it (xid) and a position within it.
ALTER TABLE "order_transitions" ADD COLUMN "position" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "order_transitions_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "order_transitions" ADD COLUMN "xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "order_transitions_log_idx" ON "order_transitions" USING btree ("xid","position");