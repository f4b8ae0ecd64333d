ALTER TABLE "clusters" ADD COLUMN "verification" jsonb;
