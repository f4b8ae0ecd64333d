DROP INDEX "mined_programs_struct_hnsw";--> statement-breakpoint
DROP INDEX "mined_programs_profile_hnsw";