import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import {
  ATTRIBUTES,
  DESCRIPTION,
  HEALTH_STATUS,
  INSTANCE_ID,
  NAMESPACE_NAME,
  SERVICE_NAME,
} from '../registry-rules.js';
import { RegistryService, type PageInput } from '../registry.service.js';
import type { InstanceView, NamespaceView, Page, ServiceView } from '../registry.views.js';

const pageQuery = z.strictObject({
  maxResults: z.coerce
    .number({ error: 'must be an integer from 1 to 100' })
    .int('must be an integer from 1 to 100')
    .min(1, 'must be an integer from 1 to 100')
    .max(100, 'must be an integer from 1 to 100')
    .optional(),
  nextToken: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(2048, 'must be at most 2048 characters')
    .optional(),
});

const createNamespace = z.strictObject({ Name: NAMESPACE_NAME, Description: DESCRIPTION.optional() });
const createService = z.strictObject({ Name: SERVICE_NAME, Description: DESCRIPTION.optional() });
/** Cloud Map's RegisterInstance (ServiceId comes from the path; CreatorRequestId is accepted and ignored). */
const registerInstance = z.strictObject({
  InstanceId: INSTANCE_ID,
  Attributes: ATTRIBUTES,
  CreatorRequestId: z.string({ error: 'must be a string' }).max(64, 'must be at most 64 characters').optional(),
});
const healthStatus = z.strictObject({ Status: HEALTH_STATUS });

const namespaceOut = (n: NamespaceView) => ({
  Name: n.name,
  Description: n.description,
  CreateDate: n.createdAt.toISOString(),
  UpdateDate: n.updatedAt.toISOString(),
});
const serviceOut = (s: ServiceView) => ({
  Name: s.name,
  NamespaceName: s.namespaceName,
  Description: s.description,
  CreateDate: s.createdAt.toISOString(),
  UpdateDate: s.updatedAt.toISOString(),
});
const instanceOut = (i: InstanceView) => ({
  Id: i.instanceId,
  Attributes: i.attributes,
  HealthStatus: i.healthStatus,
  Source: i.source,
  UpdateDate: i.updatedAt?.toISOString() ?? null,
});
const pageOut = <T, O>(key: string, page: Page<T>, out: (t: T) => O) => ({
  [key]: page.items.map(out),
  ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
});

const names = (namespace: string, service?: string) => {
  parseInput(NAMESPACE_NAME, namespace, 'path.namespaceName');
  if (service !== undefined) parseInput(SERVICE_NAME, service, 'path.serviceName');
};

/**
 * The service registry under `/v1/registry` (bearer token or SigV4, like the other /v1 routes),
 * in the shapes AWS Cloud Map users know: PascalCase bodies (`Name`, `InstanceId`, `Attributes`,
 * `Status`), `HealthStatus` HEALTHY/UNHEALTHY/UNKNOWN, `NextToken` pages (query `maxResults`
 * 1-100, `nextToken`). Errors are App Mesh's (`x-amzn-ErrorType` + `{"message"}`), as on every
 * route. See docs/registry.md.
 */
@Controller('v1/registry/namespaces')
@Authenticate('tenant')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Post()
  async createNamespace(@CurrentScope() scope: TenantScope, @Body() body: unknown) {
    const input = parseInput(createNamespace, body ?? {});
    return { Namespace: namespaceOut(await this.registry.createNamespace(scope, input.Name, input.Description)) };
  }

  @Get()
  async listNamespaces(@CurrentScope() scope: TenantScope, @Query() query: unknown) {
    const page = await this.registry.listNamespaces(scope, pageInput(query));
    return pageOut('Namespaces', page, namespaceOut);
  }

  @Get(':ns')
  async getNamespace(@CurrentScope() scope: TenantScope, @Param('ns') ns: string) {
    names(ns);
    return { Namespace: namespaceOut(await this.registry.getNamespace(scope, ns)) };
  }

  @Delete(':ns')
  @HttpCode(200)
  async deleteNamespace(@CurrentScope() scope: TenantScope, @Param('ns') ns: string) {
    names(ns);
    return { Namespace: namespaceOut(await this.registry.deleteNamespace(scope, ns)) };
  }

  @Post(':ns/services')
  async createService(@CurrentScope() scope: TenantScope, @Param('ns') ns: string, @Body() body: unknown) {
    names(ns);
    const input = parseInput(createService, body ?? {});
    return { Service: serviceOut(await this.registry.createService(scope, ns, input.Name, input.Description)) };
  }

  @Get(':ns/services')
  async listServices(@CurrentScope() scope: TenantScope, @Param('ns') ns: string, @Query() query: unknown) {
    names(ns);
    return pageOut('Services', await this.registry.listServices(scope, ns, pageInput(query)), serviceOut);
  }

  @Get(':ns/services/:svc')
  async getService(@CurrentScope() scope: TenantScope, @Param('ns') ns: string, @Param('svc') svc: string) {
    names(ns, svc);
    return { Service: serviceOut(await this.registry.getService(scope, ns, svc)) };
  }

  @Delete(':ns/services/:svc')
  @HttpCode(200)
  async deleteService(@CurrentScope() scope: TenantScope, @Param('ns') ns: string, @Param('svc') svc: string) {
    names(ns, svc);
    return { Service: serviceOut(await this.registry.deleteService(scope, ns, svc)) };
  }

  /** Cloud Map's RegisterInstance: creates or replaces (by InstanceId) an instance. */
  @Post(':ns/services/:svc/instances')
  async registerInstance(
    @CurrentScope() scope: TenantScope,
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
  ) {
    names(ns, svc);
    const input = parseInput(registerInstance, body ?? {});
    const instance = await this.registry.registerInstance(scope, ns, svc, input.InstanceId, input.Attributes);
    return { Instance: instanceOut(instance) };
  }

  @Get(':ns/services/:svc/instances')
  async listInstances(
    @CurrentScope() scope: TenantScope,
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    names(ns, svc);
    return pageOut('Instances', await this.registry.listInstances(scope, ns, svc, pageInput(query)), instanceOut);
  }

  @Get(':ns/services/:svc/instances/:id')
  async getInstance(
    @CurrentScope() scope: TenantScope,
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('id') id: string,
  ) {
    names(ns, svc);
    parseInput(INSTANCE_ID, id, 'path.instanceId');
    return { Instance: instanceOut(await this.registry.getInstance(scope, ns, svc, id)) };
  }

  /** Cloud Map's DeregisterInstance. */
  @Delete(':ns/services/:svc/instances/:id')
  @HttpCode(200)
  async deregisterInstance(
    @CurrentScope() scope: TenantScope,
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('id') id: string,
  ) {
    names(ns, svc);
    parseInput(INSTANCE_ID, id, 'path.instanceId');
    return { Instance: instanceOut(await this.registry.deregisterInstance(scope, ns, svc, id)) };
  }

  /** Cloud Map's UpdateInstanceCustomHealthStatus. */
  @Put(':ns/services/:svc/instances/:id/health')
  async setHealth(
    @CurrentScope() scope: TenantScope,
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    names(ns, svc);
    parseInput(INSTANCE_ID, id, 'path.instanceId');
    const { Status } = parseInput(healthStatus, body ?? {});
    return { Instance: instanceOut(await this.registry.setHealth(scope, ns, svc, id, Status)) };
  }
}

function pageInput(query: unknown): PageInput {
  const parsed = parseInput(pageQuery, query ?? {}, 'query');
  return {
    ...(parsed.maxResults === undefined ? {} : { maxResults: parsed.maxResults }),
    ...(parsed.nextToken === undefined ? {} : { nextToken: parsed.nextToken }),
  };
}
