CREATE TABLE "mining_terms" (
	"term" text PRIMARY KEY NOT NULL,
	"df" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "profile_centroid" sparsevec(1048576);--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "cohesion" double precision;--> statement-breakpoint
ALTER TABLE "mined_programs" ADD COLUMN "profile" jsonb;--> statement-breakpoint
ALTER TABLE "mined_programs" ADD COLUMN "profile_vector" sparsevec(1048576);--> statement-breakpoint
CREATE INDEX "mined_programs_profile_hnsw" ON "mined_programs" USING hnsw ("profile_vector" sparsevec_ip_ops);