-- CreateTable
CREATE TABLE "plans" (
    "id" UUID NOT NULL,
    "name" VARCHAR(32) NOT NULL,
    "built_in" BOOLEAN NOT NULL DEFAULT false,
    "currency" CHAR(3) NOT NULL,
    "quotas" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan_prices" (
    "plan_id" UUID NOT NULL,
    "meter" VARCHAR(64) NOT NULL,
    "unit_price_micros" BIGINT NOT NULL,
    "free_units" BIGINT NOT NULL,

    CONSTRAINT "plan_prices_pkey" PRIMARY KEY ("plan_id","meter")
);

-- CreateTable
CREATE TABLE "tenant_plan_changes" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "plan_id" UUID NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "changed_by" VARCHAR(64) NOT NULL,
    "reason" VARCHAR(256) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_plan_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "id" VARCHAR(40) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "month" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "total_minor" BIGINT NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_by" VARCHAR(64) NOT NULL,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_lines" (
    "invoice_id" VARCHAR(40) NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "meter" VARCHAR(64),
    "plan_name" VARCHAR(32),
    "usage_month" TIMESTAMPTZ(3),
    "quantity" BIGINT,
    "free_quantity" BIGINT,
    "unit_price_micros" BIGINT,
    "amount_minor" BIGINT NOT NULL,
    "description" VARCHAR(512) NOT NULL,

    CONSTRAINT "invoice_lines_pkey" PRIMARY KEY ("invoice_id","position")
);

-- CreateTable
CREATE TABLE "credits" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "month" TIMESTAMPTZ(3) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" VARCHAR(256) NOT NULL,
    "created_by" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "plans_name_key" ON "plans"("name");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_plan_changes_tenant_id_effective_from_key" ON "tenant_plan_changes"("tenant_id", "effective_from");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_tenant_id_month_key" ON "invoices"("tenant_id", "month");

-- CreateIndex
CREATE INDEX "credits_tenant_id_month_idx" ON "credits"("tenant_id", "month");

-- AddForeignKey
ALTER TABLE "plan_prices" ADD CONSTRAINT "plan_prices_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_plan_changes" ADD CONSTRAINT "tenant_plan_changes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_plan_changes" ADD CONSTRAINT "tenant_plan_changes_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credits" ADD CONSTRAINT "credits_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The built-in plans. Quotas: standard mirrors AWS App Mesh's default service quotas, so workloads
-- that fit App Mesh fit here unchanged; free and enterprise scale them. Prices in millionths of a
-- US dollar per priced unit (proxy/client hour, request, resource hour); free units per month.
INSERT INTO "plans" ("id", "name", "built_in", "currency", "quotas", "updated_at") VALUES
  ('00000000-0000-4000-8000-000000000001', 'free', true, 'USD',
   '{"meshesPerAccount":3,"virtualNodesPerMesh":20,"virtualServicesPerMesh":20,"virtualRoutersPerMesh":20,"routesPerVirtualRouter":50,"virtualGatewaysPerMesh":3,"gatewayRoutesPerVirtualGateway":10,"backendsPerVirtualNode":50,"weightedTargetsPerRoute":10,"tagsPerResource":50,"connectedProxiesPerVirtualNode":5,"connectedProxiesPerVirtualGateway":5,"apiRequestsPerSecond":50}',
   CURRENT_TIMESTAMP),
  ('00000000-0000-4000-8000-000000000002', 'standard', true, 'USD',
   '{"meshesPerAccount":15,"virtualNodesPerMesh":200,"virtualServicesPerMesh":200,"virtualRoutersPerMesh":200,"routesPerVirtualRouter":50,"virtualGatewaysPerMesh":3,"gatewayRoutesPerVirtualGateway":10,"backendsPerVirtualNode":50,"weightedTargetsPerRoute":10,"tagsPerResource":50,"connectedProxiesPerVirtualNode":50,"connectedProxiesPerVirtualGateway":50,"apiRequestsPerSecond":200}',
   CURRENT_TIMESTAMP),
  ('00000000-0000-4000-8000-000000000003', 'enterprise', true, 'USD',
   '{"meshesPerAccount":100,"virtualNodesPerMesh":1000,"virtualServicesPerMesh":1000,"virtualRoutersPerMesh":1000,"routesPerVirtualRouter":200,"virtualGatewaysPerMesh":20,"gatewayRoutesPerVirtualGateway":100,"backendsPerVirtualNode":50,"weightedTargetsPerRoute":10,"tagsPerResource":50,"connectedProxiesPerVirtualNode":500,"connectedProxiesPerVirtualGateway":500,"apiRequestsPerSecond":5000}',
   CURRENT_TIMESTAMP);

INSERT INTO "plan_prices" ("plan_id", "meter", "unit_price_micros", "free_units") VALUES
  -- free: nothing is charged; the quotas are the limit.
  ('00000000-0000-4000-8000-000000000001', 'proxy_seconds', 0, 0),
  ('00000000-0000-4000-8000-000000000001', 'grpc_client_seconds', 0, 0),
  ('00000000-0000-4000-8000-000000000001', 'api_read_requests', 0, 0),
  ('00000000-0000-4000-8000-000000000001', 'api_write_requests', 0, 0),
  ('00000000-0000-4000-8000-000000000001', 'resource_hours', 0, 0),
  -- standard: $0.0007 per proxy-hour (Traffic Director's endpoint-hour), half for proxyless
  -- clients; $1 / $5 per million read / write requests after 1,000,000 / 100,000 free.
  ('00000000-0000-4000-8000-000000000002', 'proxy_seconds', 700, 0),
  ('00000000-0000-4000-8000-000000000002', 'grpc_client_seconds', 350, 0),
  ('00000000-0000-4000-8000-000000000002', 'api_read_requests', 1, 1000000),
  ('00000000-0000-4000-8000-000000000002', 'api_write_requests', 5, 100000),
  ('00000000-0000-4000-8000-000000000002', 'resource_hours', 10, 0),
  -- enterprise: volume prices and larger allowances.
  ('00000000-0000-4000-8000-000000000003', 'proxy_seconds', 500, 0),
  ('00000000-0000-4000-8000-000000000003', 'grpc_client_seconds', 250, 0),
  ('00000000-0000-4000-8000-000000000003', 'api_read_requests', 1, 10000000),
  ('00000000-0000-4000-8000-000000000003', 'api_write_requests', 4, 1000000),
  ('00000000-0000-4000-8000-000000000003', 'resource_hours', 5, 0);

-- Every tenant's plan history starts at the hour it was created, on the plan its row names (an
-- unknown name, removed from the old catalogue, had standard quotas, and keeps them).
INSERT INTO "tenant_plan_changes" ("tenant_id", "plan_id", "effective_from", "changed_by", "reason")
SELECT t."id", COALESCE(p."id", '00000000-0000-4000-8000-000000000002'), date_trunc('hour', t."created_at"), 'migration', 'plan at creation'
FROM "tenants" t LEFT JOIN "plans" p ON p."name" = t."plan";

-- A new tenant gets its first history row in the same transaction, whichever path creates it.
CREATE FUNCTION "tenant_initial_plan"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "tenant_plan_changes" ("tenant_id", "plan_id", "effective_from", "changed_by", "reason")
  SELECT NEW."id", p."id", date_trunc('hour', NEW."created_at"), 'system', 'plan at creation'
  FROM "plans" p WHERE p."name" = NEW."plan";
  IF NOT FOUND THEN
    RAISE EXCEPTION 'plan % does not exist', NEW."plan" USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "tenants_initial_plan" AFTER INSERT ON "tenants"
  FOR EACH ROW EXECUTE FUNCTION "tenant_initial_plan"();

-- A final invoice is immutable: its rows are inserted once (deleting the tenant still removes them).
CREATE FUNCTION "invoices_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'final invoices are immutable (% of %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER "invoices_no_update" BEFORE UPDATE ON "invoices" FOR EACH ROW EXECUTE FUNCTION "invoices_immutable"();
CREATE TRIGGER "invoice_lines_no_update" BEFORE UPDATE ON "invoice_lines" FOR EACH ROW EXECUTE FUNCTION "invoices_immutable"();
