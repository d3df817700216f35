import { Module, type Type } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { MeshesModule } from '../meshes/meshes.module.js';
import { Ec2SyncCoreModule } from '../registry/ec2/ec2-sync.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { TenantsCoreModule } from '../tenants/tenants-core.module.js';
import { OnboardingCoreModule } from '../xds-fleet/onboarding/onboarding-core.module.js';
import { MeshStatusModule } from '../xds-fleet/status/mesh-status.module.js';
import { ACCOUNT_RESOLVERS } from './account/account.resolver.js';
import { Ec2SyncSourcesResolver } from './ec2-sync/ec2-sync.resolver.js';
import { formatGraphqlErrors } from './errors/graphql-error-formatter.js';
import { GRAPHQL_LIMITS } from './graphql-limits.js';
import { GraphqlGate } from './http/graphql-gate.js';
import { GraphqlGateModule } from './http/graphql-gate.module.js';
import { GraphqlLoadersModule } from './loaders/graphql-loaders.module.js';
import { RequestLoadersFactory, type GraphqlRequestContext } from './loaders/request-loaders.js';
import { ONBOARDING_RESOLVERS } from './onboarding/onboarding.resolvers.js';
import { REGISTRY_RESOLVERS } from './registry/registry.resolver.js';
import { MeshTopologyResolver, TopologyNodeResolver } from './topology/topology.resolver.js';
import { queryCostRule } from './limits/query-cost.rule.js';
import { KIND_MUTATION_RESOLVERS } from './meshes/kind-mutations.resolver.js';
import { MeshMutationsResolver } from './meshes/mesh-mutations.resolver.js';
import { MeshResolver } from './meshes/mesh.resolver.js';
import {
  PROXIES_RESOLVERS,
  SPEC_RESOLVERS,
  VirtualGatewayResolver,
  VirtualRouterResolver,
} from './meshes/resource.resolvers.js';

/** The path the api role serves GraphQL at. */
export const GRAPHQL_PATH = '/graphql';

/** Every resolver of the GraphQL API: this module provides them, the schema printer builds from them. */
export const GRAPHQL_RESOLVERS: readonly Type<unknown>[] = [
  MeshResolver,
  MeshMutationsResolver,
  VirtualRouterResolver,
  VirtualGatewayResolver,
  ...SPEC_RESOLVERS,
  ...PROXIES_RESOLVERS,
  ...KIND_MUTATION_RESOLVERS,
  MeshTopologyResolver,
  TopologyNodeResolver,
  ...ONBOARDING_RESOLVERS,
  ...ACCOUNT_RESOLVERS,
  Ec2SyncSourcesResolver,
  ...REGISTRY_RESOLVERS,
];

/**
 * The GraphQL API (ADR 0017): code-first, served by Mercurius on the api role's Fastify instance,
 * over the same transport-free services as the REST API. The printed schema is committed as
 * src/graphql/schema.gql (a test fails when it drifts from the code).
 */
@Module({
  imports: [
    MeshesModule,
    MeshStatusModule,
    OnboardingCoreModule,
    RegistryModule,
    TenantsCoreModule,
    Ec2SyncCoreModule,
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      imports: [GraphqlGateModule, GraphqlLoadersModule],
      inject: [GraphqlGate, RequestLoadersFactory],
      useFactory: (gate: GraphqlGate, loaders: RequestLoadersFactory): MercuriusDriverConfig => ({
        path: GRAPHQL_PATH,
        // The schema is built in memory; the committed SDL is printed by scripts, never at startup.
        autoSchemaFile: true,
        sortSchema: true,
        graphiql: false,
        queryDepth: GRAPHQL_LIMITS.maxDepth,
        validationRules: [queryCostRule(GRAPHQL_LIMITS.maxCost)],
        errorFormatter: (execution) => formatGraphqlErrors(execution),
        additionalRouteOptions: { preValidation: gate.preValidation },
        // Fresh loaders per request (the driver adds `req`): batching never caches across requests.
        context: (): GraphqlRequestContext => ({ loaders: loaders.create() }),
      }),
    }),
  ],
  providers: [...GRAPHQL_RESOLVERS],
})
export class GraphqlModule {}
