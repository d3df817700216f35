-- CreateEnum
CREATE TYPE "Ec2SyncStatus" AS ENUM ('PENDING', 'OK', 'STALE', 'THROTTLED');

-- CreateTable
CREATE TABLE "ec2_sync_sources" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "region" VARCHAR(32) NOT NULL,
    "endpoint" VARCHAR(2048),
    "tag_filters" JSONB NOT NULL DEFAULT '[]',
    "service_id" UUID NOT NULL,
    "attribute_tags" JSONB NOT NULL DEFAULT '[]',
    "port" INTEGER NOT NULL,
    "interval_seconds" INTEGER NOT NULL,
    "access_key_id" VARCHAR(128),
    "secret_ciphertext" BYTEA,
    "master_key_id" VARCHAR(16),
    "role_arn" VARCHAR(2048),
    "status" "Ec2SyncStatus" NOT NULL DEFAULT 'PENDING',
    "last_sync_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_error" VARCHAR(2048),
    "instance_count" INTEGER NOT NULL DEFAULT 0,
    "skipped_count" INTEGER NOT NULL DEFAULT 0,
    "last_warning" VARCHAR(2048),
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "backoff_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ec2_sync_sources_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ec2_sync_sources_service_id_idx" ON "ec2_sync_sources"("service_id");

-- CreateIndex
CREATE UNIQUE INDEX "ec2_sync_sources_tenant_id_name_key" ON "ec2_sync_sources"("tenant_id", "name");

-- AddForeignKey
ALTER TABLE "ec2_sync_sources" ADD CONSTRAINT "ec2_sync_sources_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
