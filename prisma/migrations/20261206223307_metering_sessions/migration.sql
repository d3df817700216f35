-- CreateTable
CREATE TABLE "metered_sessions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "shard_run_id" UUID NOT NULL,
    "meter" VARCHAR(64) NOT NULL,
    "dimension" VARCHAR(2048) NOT NULL,
    "connected_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "end_guessed" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metered_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metering_shard_runs" (
    "id" UUID NOT NULL,
    "shard" VARCHAR(255) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "metering_shard_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metering_resource_samples" (
    "tenant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "kind" VARCHAR(64) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "metering_resource_samples_pkey" PRIMARY KEY ("tenant_id","hour","kind")
);

-- CreateTable
CREATE TABLE "metering_rolled_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "metering_rolled_hours_pkey" PRIMARY KEY ("hour")
);

-- CreateTable
CREATE TABLE "metering_cursors" (
    "name" VARCHAR(32) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "metering_cursors_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "metered_sessions_connected_at_idx" ON "metered_sessions"("connected_at");

-- CreateIndex
CREATE INDEX "metered_sessions_closed_at_idx" ON "metered_sessions"("closed_at");

-- CreateIndex
CREATE INDEX "metered_sessions_tenant_id_connected_at_idx" ON "metered_sessions"("tenant_id", "connected_at");

-- CreateIndex
CREATE INDEX "metered_sessions_changed_at_idx" ON "metered_sessions"("changed_at");

-- CreateIndex
CREATE INDEX "metered_sessions_shard_run_id_idx" ON "metered_sessions"("shard_run_id");

-- CreateIndex
CREATE INDEX "metering_resource_samples_hour_idx" ON "metering_resource_samples"("hour");

-- AddForeignKey
ALTER TABLE "metered_sessions" ADD CONSTRAINT "metered_sessions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metering_resource_samples" ADD CONSTRAINT "metering_resource_samples_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
