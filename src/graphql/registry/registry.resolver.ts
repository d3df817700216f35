import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { z } from 'zod';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { ATTRIBUTES, DESCRIPTION, INSTANCE_ID, NAMESPACE_NAME, SERVICE_NAME } from '../../registry/registry-rules.js';
import { RegistryService as Registry, type PageInput } from '../../registry/registry.service.js';
import type { InstanceView, NamespaceView, ServiceView } from '../../registry/registry.views.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { ConnectionArgs, listPage, type Connection } from '../pagination/connection.js';
import {
  CreateRegistryNamespaceInput,
  CreateRegistryServiceInput,
  RegisterRegistryInstanceInput,
  RegistryHealthStatus,
  RegistryInstance,
  RegistryInstanceConnection,
  RegistryInstanceRef,
  RegistryNamespace,
  RegistryNamespaceConnection,
  RegistryNamespaceRef,
  RegistryService,
  RegistryServiceConnection,
  RegistryServiceRef,
  RegistrySource,
  UpdateRegistryInstanceHealthInput,
} from './registry.models.js';

const namespaceOut = (n: NamespaceView): RegistryNamespace => ({
  name: n.name,
  description: n.description,
  createdAt: n.createdAt.toISOString(),
  updatedAt: n.updatedAt.toISOString(),
});
const serviceOut = (s: ServiceView): RegistryService => ({
  namespaceName: s.namespaceName,
  name: s.name,
  description: s.description,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});
const instanceOut = (i: InstanceView): RegistryInstance => ({
  instanceId: i.instanceId,
  attributes: { ...i.attributes },
  healthStatus: RegistryHealthStatus[i.healthStatus],
  source: RegistrySource[i.source],
  ipv4: i.ipv4,
  ipv6: i.ipv6,
  port: i.port,
  zone: i.zone,
  updatedAt: i.updatedAt?.toISOString() ?? null,
});
const pageInput = (page: { limit?: number; nextToken?: string }): PageInput => ({
  ...(page.limit === undefined ? {} : { maxResults: page.limit }),
  ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
});

/*
 * The REST API's rules (registry-rules.ts) under the GraphQL input's member names, so a problem
 * reads `input.namespaceName: <the rule REST states>` and `extensions.fields` names that member.
 * Every member is checked at once: all problems are reported, not the first.
 */
const NAMESPACE_REF = z.object({ namespaceName: NAMESPACE_NAME });
const SERVICE_REF = NAMESPACE_REF.extend({ serviceName: SERVICE_NAME });
const INSTANCE_REF = SERVICE_REF.extend({ instanceId: INSTANCE_ID });
const CREATE_NAMESPACE = NAMESPACE_REF.extend({ description: DESCRIPTION.optional() });
const CREATE_SERVICE = SERVICE_REF.extend({ description: DESCRIPTION.optional() });

/** GraphQL lets a client send `description: null` for "none": the REST body's rule knows only absent. */
const withoutNullDescription = <T extends { description?: string | null }>(input: T) => {
  const { description, ...rest } = input;
  return description === null || description === undefined ? rest : { ...rest, description };
};

function ref(input: RegistryInstanceRef, where: string): z.output<typeof INSTANCE_REF> {
  return parseInput(INSTANCE_REF, input, where);
}

/** The service registry's queries and mutations (ADR 0021), over the REST API's service. */
@Resolver()
@Authenticate('tenant')
export class RegistryQueryResolver {
  constructor(private readonly registry: Registry) {}

  @Query(() => RegistryNamespaceConnection, {
    description: "The tenant's registry namespaces (GET /v1/registry/namespaces).",
  })
  registryNamespaces(
    @CurrentScope() scope: TenantScope,
    @Args() args: ConnectionArgs,
  ): Promise<Connection<RegistryNamespace>> {
    return listPage(args, async (page) => this.registry.listNamespaces(scope, pageInput(page)), namespaceOut);
  }

  @Query(() => RegistryNamespace, {
    description: 'One registry namespace; NOT_FOUND when the tenant has none of that name.',
  })
  async registryNamespace(@CurrentScope() scope: TenantScope, @Args('name') name: string): Promise<RegistryNamespace> {
    parseInput(NAMESPACE_NAME, name, 'name');
    return namespaceOut(await this.registry.getNamespace(scope, name));
  }

  @Mutation(() => RegistryNamespace, {
    description: 'Creates a registry namespace (POST /v1/registry/namespaces): CONFLICT if it exists.',
  })
  async createRegistryNamespace(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => CreateRegistryNamespaceInput }) input: CreateRegistryNamespaceInput,
  ): Promise<RegistryNamespace> {
    const valid = parseInput(CREATE_NAMESPACE, withoutNullDescription(input), 'input');
    return namespaceOut(await this.registry.createNamespace(scope, valid.namespaceName, valid.description));
  }

  @Mutation(() => RegistryNamespace, {
    description: 'Deletes an empty registry namespace (RESOURCE_IN_USE while it has services); returns it.',
  })
  async deleteRegistryNamespace(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => RegistryNamespaceRef }) input: RegistryNamespaceRef,
  ): Promise<RegistryNamespace> {
    const { namespaceName } = parseInput(NAMESPACE_REF, input, 'input');
    return namespaceOut(await this.registry.deleteNamespace(scope, namespaceName));
  }

  @Mutation(() => RegistryService, {
    description: 'Creates a registry service in a namespace (POST …/{ns}/services): CONFLICT if it exists.',
  })
  async createRegistryService(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => CreateRegistryServiceInput }) input: CreateRegistryServiceInput,
  ): Promise<RegistryService> {
    const valid = parseInput(CREATE_SERVICE, withoutNullDescription(input), 'input');
    return serviceOut(
      await this.registry.createService(scope, valid.namespaceName, valid.serviceName, valid.description),
    );
  }

  @Mutation(() => RegistryService, {
    description: 'Deletes a registry service without instances (RESOURCE_IN_USE while it has some); returns it.',
  })
  async deleteRegistryService(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => RegistryServiceRef }) input: RegistryServiceRef,
  ): Promise<RegistryService> {
    const { namespaceName, serviceName } = parseInput(SERVICE_REF, input, 'input');
    return serviceOut(await this.registry.deleteService(scope, namespaceName, serviceName));
  }

  @Mutation(() => RegistryInstance, { description: "Cloud Map's RegisterInstance (POST …/instances)." })
  async registerRegistryInstance(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => RegisterRegistryInstanceInput }) input: RegisterRegistryInstanceInput,
  ): Promise<RegistryInstance> {
    const { namespaceName, serviceName, instanceId } = ref(input, 'input');
    const attributes = parseInput(ATTRIBUTES, input.attributes, 'input.attributes');
    return instanceOut(await this.registry.registerInstance(scope, namespaceName, serviceName, instanceId, attributes));
  }

  @Mutation(() => RegistryInstance, { description: "Cloud Map's DeregisterInstance (DELETE …/instances/{id})." })
  async deregisterRegistryInstance(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => RegistryInstanceRef }) input: RegistryInstanceRef,
  ): Promise<RegistryInstance> {
    const { namespaceName, serviceName, instanceId } = ref(input, 'input');
    return instanceOut(await this.registry.deregisterInstance(scope, namespaceName, serviceName, instanceId));
  }

  @Mutation(() => RegistryInstance, {
    description: "Cloud Map's UpdateInstanceCustomHealthStatus (PUT …/instances/{id}/health).",
  })
  async updateRegistryInstanceHealth(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => UpdateRegistryInstanceHealthInput }) input: UpdateRegistryInstanceHealthInput,
  ): Promise<RegistryInstance> {
    const { namespaceName, serviceName, instanceId } = ref(input, 'input');
    return instanceOut(await this.registry.setHealth(scope, namespaceName, serviceName, instanceId, input.status));
  }
}

@Resolver(() => RegistryNamespace)
@Authenticate('tenant')
export class RegistryNamespaceResolver {
  constructor(private readonly registry: Registry) {}

  @ResolveField(() => RegistryServiceConnection)
  services(
    @CurrentScope() scope: TenantScope,
    @Parent() ns: RegistryNamespace,
    @Args() args: ConnectionArgs,
  ): Promise<Connection<RegistryService>> {
    return listPage(args, async (page) => this.registry.listServices(scope, ns.name, pageInput(page)), serviceOut);
  }
}

@Resolver(() => RegistryService)
@Authenticate('tenant')
export class RegistryServiceResolver {
  constructor(private readonly registry: Registry) {}

  @ResolveField(() => RegistryInstanceConnection)
  instances(
    @CurrentScope() scope: TenantScope,
    @Parent() service: RegistryService,
    @Args() args: ConnectionArgs,
  ): Promise<Connection<RegistryInstance>> {
    return listPage(
      args,
      async (page) => this.registry.listInstances(scope, service.namespaceName, service.name, pageInput(page)),
      instanceOut,
    );
  }
}

export const REGISTRY_RESOLVERS = [RegistryQueryResolver, RegistryNamespaceResolver, RegistryServiceResolver] as const;
