CREATE TABLE "contexts" (
	"sha256" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"content" text NOT NULL,
	"encoding" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "llm_calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"program_id" uuid,
	"parent_call_id" uuid,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"gen_ai_operation_name" text DEFAULT 'chat' NOT NULL,
	"gen_ai_provider_name" text NOT NULL,
	"gen_ai_request_model" text NOT NULL,
	"gen_ai_response_model" text,
	"request_messages" jsonb NOT NULL,
	"request_hash" text NOT NULL,
	"response" text,
	"gen_ai_response_finish_reasons" text,
	"gen_ai_usage_input_tokens" integer DEFAULT 0 NOT NULL,
	"gen_ai_usage_output_tokens" integer DEFAULT 0 NOT NULL,
	"gen_ai_usage_cache_read_input_tokens" integer DEFAULT 0 NOT NULL,
	"gen_ai_usage_reasoning_output_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"gen_ai_response_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "programs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"run_id" uuid NOT NULL,
	"step_id" uuid,
	"step_idx" integer NOT NULL,
	"block_idx" integer NOT NULL,
	"code" text NOT NULL,
	"code_sha256" text NOT NULL,
	"query" text NOT NULL,
	"output" text DEFAULT '' NOT NULL,
	"output_chars" integer DEFAULT 0 NOT NULL,
	"result" text,
	"status" text NOT NULL,
	"error" text,
	"calls_model" boolean DEFAULT false NOT NULL,
	"llm_call_count" integer DEFAULT 0 NOT NULL,
	"lib_calls" jsonb,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"parent_run_id" uuid,
	"root_run_id" uuid NOT NULL,
	"depth" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'runtime' NOT NULL,
	"query" text NOT NULL,
	"context_sha256" text,
	"context_bytes" bigint,
	"gen_ai_request_model" text,
	"sub_model" text,
	"budgets" jsonb,
	"status" text NOT NULL,
	"answer" text,
	"error" text,
	"iterations" integer DEFAULT 0 NOT NULL,
	"llm_calls" integer DEFAULT 0 NOT NULL,
	"gen_ai_usage_input_tokens" bigint DEFAULT 0 NOT NULL,
	"gen_ai_usage_output_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"library_commit" text,
	"library_manifest_hash" text,
	"metadata" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "steps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"response" text NOT NULL,
	"code_blocks" jsonb NOT NULL,
	"output" text NOT NULL,
	"output_chars" integer NOT NULL,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "llm_calls" ADD CONSTRAINT "llm_calls_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "programs" ADD CONSTRAINT "programs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_context_sha256_contexts_sha256_fk" FOREIGN KEY ("context_sha256") REFERENCES "public"."contexts"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "llm_calls_run_idx" ON "llm_calls" USING btree ("run_id","seq");--> statement-breakpoint
CREATE INDEX "llm_calls_program_idx" ON "llm_calls" USING btree ("program_id");--> statement-breakpoint
CREATE INDEX "programs_run_idx" ON "programs" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "programs_seq_idx" ON "programs" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "runs_root_idx" ON "runs" USING btree ("root_run_id");--> statement-breakpoint
CREATE INDEX "runs_parent_idx" ON "runs" USING btree ("parent_run_id");--> statement-breakpoint
CREATE INDEX "runs_started_idx" ON "runs" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "steps_run_idx" ON "steps" USING btree ("run_id","idx");