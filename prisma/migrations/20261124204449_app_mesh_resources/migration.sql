-- CreateEnum
CREATE TYPE "ResourceKind" AS ENUM ('virtualNode', 'virtualService', 'virtualRouter', 'route', 'virtualGateway', 'gatewayRoute');

-- CreateEnum
CREATE TYPE "ChangeOperation" AS ENUM ('create', 'update', 'delete');

-- CreateTable
CREATE TABLE "meshes" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "generation" BIGINT NOT NULL DEFAULT 1,
    "compiled_generation" BIGINT NOT NULL DEFAULT 0,
    "tags" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "meshes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mesh_resources" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "mesh_id" UUID NOT NULL,
    "kind" "ResourceKind" NOT NULL,
    "parent_name" VARCHAR(255) NOT NULL DEFAULT '',
    "name" VARCHAR(255) NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "tags" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mesh_resources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resource_references" (
    "from_id" UUID NOT NULL,
    "mesh_id" UUID NOT NULL,
    "to_kind" "ResourceKind" NOT NULL,
    "to_name" VARCHAR(255) NOT NULL,

    CONSTRAINT "resource_references_pkey" PRIMARY KEY ("from_id","to_kind","to_name")
);

-- CreateTable
CREATE TABLE "mesh_changes" (
    "id" BIGSERIAL NOT NULL,
    "mesh_id" UUID NOT NULL,
    "generation" BIGINT NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "parent_name" VARCHAR(255) NOT NULL DEFAULT '',
    "name" VARCHAR(255) NOT NULL,
    "operation" "ChangeOperation" NOT NULL,
    "committed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mesh_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "tenant_id" UUID NOT NULL,
    "operation" VARCHAR(64) NOT NULL,
    "client_token" VARCHAR(64) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("tenant_id","operation","client_token")
);

-- CreateIndex
CREATE UNIQUE INDEX "meshes_tenant_id_name_key" ON "meshes"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "mesh_resources_tenant_id_idx" ON "mesh_resources"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "mesh_resources_mesh_id_kind_parent_name_name_key" ON "mesh_resources"("mesh_id", "kind", "parent_name", "name");

-- CreateIndex
CREATE INDEX "resource_references_mesh_id_to_kind_to_name_idx" ON "resource_references"("mesh_id", "to_kind", "to_name");

-- CreateIndex
CREATE INDEX "mesh_changes_mesh_id_generation_idx" ON "mesh_changes"("mesh_id", "generation");

-- CreateIndex
CREATE INDEX "idempotency_records_created_at_idx" ON "idempotency_records"("created_at");

-- AddForeignKey
ALTER TABLE "meshes" ADD CONSTRAINT "meshes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mesh_resources" ADD CONSTRAINT "mesh_resources_mesh_id_fkey" FOREIGN KEY ("mesh_id") REFERENCES "meshes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resource_references" ADD CONSTRAINT "resource_references_from_id_fkey" FOREIGN KEY ("from_id") REFERENCES "mesh_resources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mesh_changes" ADD CONSTRAINT "mesh_changes_mesh_id_fkey" FOREIGN KEY ("mesh_id") REFERENCES "meshes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "idempotency_records" ADD CONSTRAINT "idempotency_records_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
