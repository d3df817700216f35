-- CreateEnum
CREATE TYPE "RegistrySource" AS ENUM ('api', 'ec2');

-- CreateEnum
CREATE TYPE "RegistryHealth" AS ENUM ('HEALTHY', 'UNHEALTHY', 'UNKNOWN');

-- CreateTable
CREATE TABLE "registry_namespaces" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" VARCHAR(1024) NOT NULL,
    "description" VARCHAR(1024),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registry_namespaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry_services" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "namespace_id" UUID NOT NULL,
    "name" VARCHAR(127) NOT NULL,
    "description" VARCHAR(1024),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registry_services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry_instances" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "service_id" UUID NOT NULL,
    "instance_id" VARCHAR(64) NOT NULL,
    "ipv4" VARCHAR(15),
    "ipv6" VARCHAR(45),
    "port" INTEGER,
    "zone" VARCHAR(255),
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "health" "RegistryHealth" NOT NULL DEFAULT 'HEALTHY',
    "source" "RegistrySource" NOT NULL DEFAULT 'api',
    "source_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registry_instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_hours" (
    "tenant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "meter" VARCHAR(64) NOT NULL,
    "dimension" VARCHAR(2048) NOT NULL DEFAULT '',
    "quantity" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_hours_pkey" PRIMARY KEY ("tenant_id","hour","meter","dimension")
);

-- CreateTable
CREATE TABLE "usage_adjustments" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "meter" VARCHAR(64) NOT NULL,
    "dimension" VARCHAR(2048) NOT NULL DEFAULT '',
    "quantity" BIGINT NOT NULL,
    "reason" VARCHAR(256) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_adjustments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "registry_namespaces_tenant_id_name_key" ON "registry_namespaces"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "registry_services_tenant_id_idx" ON "registry_services"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "registry_services_namespace_id_name_key" ON "registry_services"("namespace_id", "name");

-- CreateIndex
CREATE INDEX "registry_instances_tenant_id_idx" ON "registry_instances"("tenant_id");

-- CreateIndex
CREATE INDEX "registry_instances_source_id_idx" ON "registry_instances"("source_id");

-- CreateIndex
CREATE UNIQUE INDEX "registry_instances_service_id_instance_id_key" ON "registry_instances"("service_id", "instance_id");

-- CreateIndex
CREATE INDEX "usage_hours_hour_idx" ON "usage_hours"("hour");

-- CreateIndex
CREATE INDEX "usage_adjustments_tenant_id_hour_idx" ON "usage_adjustments"("tenant_id", "hour");

-- AddForeignKey
ALTER TABLE "registry_namespaces" ADD CONSTRAINT "registry_namespaces_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registry_services" ADD CONSTRAINT "registry_services_namespace_id_fkey" FOREIGN KEY ("namespace_id") REFERENCES "registry_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registry_instances" ADD CONSTRAINT "registry_instances_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "registry_services"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_hours" ADD CONSTRAINT "usage_hours_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_adjustments" ADD CONSTRAINT "usage_adjustments_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
