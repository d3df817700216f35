-- CreateIndex
CREATE INDEX "registry_services_updated_at_idx" ON "registry_services"("updated_at");

-- The virtual nodes whose serviceDiscovery.awsCloudMap names a registry service, by tenant and the
-- two names: a registry change finds the nodes to update without scanning the tenant's specs
-- (RegistryChanges.selectingNodes, ADR 0021). Not expressible in schema.prisma; Prisma's diff
-- leaves expression indexes alone.
CREATE INDEX "mesh_resources_cloud_map_idx" ON "mesh_resources" (
  "tenant_id",
  ("spec" #>> '{serviceDiscovery,awsCloudMap,namespaceName}'),
  ("spec" #>> '{serviceDiscovery,awsCloudMap,serviceName}')
) WHERE "kind" = 'virtualNode' AND ("spec" #> '{serviceDiscovery,awsCloudMap}') IS NOT NULL;
