CREATE TABLE "clusters" (
	"id" text PRIMARY KEY NOT NULL,
	"created_pass" integer NOT NULL,
	"updated_pass" integer NOT NULL,
	"size" integer NOT NULL,
	"support" integer NOT NULL,
	"success_rate" double precision NOT NULL,
	"skeleton" text NOT NULL,
	"growth" text,
	"templates" jsonb,
	"representative_run_id" uuid,
	"centroid" vector(512),
	"members_hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lib_calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"program_id" uuid,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"duration_ms" integer NOT NULL,
	"llm_calls" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mined_programs" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"max_program_seq" bigint NOT NULL,
	"pass_id" integer NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"query" text NOT NULL,
	"succeeded" boolean NOT NULL,
	"fingerprint" text,
	"normalized" text,
	"code" text NOT NULL,
	"skeleton" text,
	"growth" text,
	"templates" jsonb,
	"lib_calls" jsonb,
	"struct_embedding" vector(512),
	"semantic_embedding" halfvec,
	"cluster_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mining_passes" (
	"id" serial PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"from_seq" bigint NOT NULL,
	"to_seq" bigint NOT NULL,
	"report" jsonb,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"cluster_id" text NOT NULL,
	"members_hash" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"branch" text NOT NULL,
	"status" text NOT NULL,
	"library_dir" text NOT NULL,
	"commit" text,
	"pr_url" text,
	"support" integer NOT NULL,
	"coverage" double precision NOT NULL,
	"gain" double precision NOT NULL,
	"evidence" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lib_calls" ADD CONSTRAINT "lib_calls_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mined_programs" ADD CONSTRAINT "mined_programs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lib_calls_run_idx" ON "lib_calls" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "lib_calls_name_idx" ON "lib_calls" USING btree ("name");--> statement-breakpoint
CREATE INDEX "mined_programs_struct_hnsw" ON "mined_programs" USING hnsw ("struct_embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "mined_programs_cluster_idx" ON "mined_programs" USING btree ("cluster_id");--> statement-breakpoint
CREATE INDEX "mined_programs_fingerprint_idx" ON "mined_programs" USING btree ("fingerprint");--> statement-breakpoint
CREATE INDEX "promotions_cluster_idx" ON "promotions" USING btree ("cluster_id");--> statement-breakpoint
CREATE UNIQUE INDEX "promotions_name_version_idx" ON "promotions" USING btree ("name","version");