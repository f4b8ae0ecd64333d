CREATE TABLE "batch_attempts" (
	"item_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"run_id" uuid NOT NULL,
	"job_id" uuid,
	"status" text NOT NULL,
	"owner_id" text NOT NULL,
	"owner_host" text NOT NULL,
	"owner_pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "batch_attempts_item_id_attempt_pk" PRIMARY KEY("item_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "batch_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"batch_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"query" text NOT NULL,
	"context_sha256" text,
	"model" text,
	"sub_model" text,
	"budgets" jsonb,
	"metadata" jsonb,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"job_id" uuid,
	"run_id" uuid,
	"error" text,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"source" text,
	"items" integer NOT NULL,
	"max_attempts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"endpoint" text PRIMARY KEY NOT NULL,
	"requests_per_minute" integer,
	"tokens_per_minute" integer,
	"available_requests" double precision NOT NULL,
	"available_tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "owner_id" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "owner_host" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "owner_pid" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "batch_attempts" ADD CONSTRAINT "batch_attempts_item_id_batch_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."batch_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_attempts" ADD CONSTRAINT "batch_attempts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_items" ADD CONSTRAINT "batch_items_batch_id_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batch_items" ADD CONSTRAINT "batch_items_context_sha256_contexts_sha256_fk" FOREIGN KEY ("context_sha256") REFERENCES "public"."contexts"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "batch_attempts_run_idx" ON "batch_attempts" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "batch_items_batch_idx" ON "batch_items" USING btree ("batch_id","idx");--> statement-breakpoint
CREATE INDEX "batch_items_status_idx" ON "batch_items" USING btree ("status");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");