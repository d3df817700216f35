import { Module, type Type } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { MeshesModule } from '../meshes/meshes.module.js';
import { Ec2SyncCoreModule } from '../registry/ec2/ec2-sync.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { TenantsCoreModule } from '../tenants/tenants-core.module.js';
import { OnboardingCoreModule } from '../xds-fleet/onboarding/onboarding-core.module.js';
import { MeshStatusModule } from '../xds-fleet/status/mesh-status.module.js';
import { BillingCoreModule } from '../billing/billing.module.js';
import { ACCOUNT_RESOLVERS } from './account/account.resolver.js';
import { AccountBillingResolver } from './billing/billing.resolver.js';
import { Ec2SyncSourcesResolver } from './ec2-sync/ec2-sync.resolver.js';
import { formatGraphqlErrors } from './errors/graphql-error-formatter.js';
import { GRAPHQL_LIMITS } from './graphql-limits.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { GraphqlGate } from './http/graphql-gate.js';
import { graphqlResponseSerializer } from './http/graphql-response-serializer.js';
import { GraphqlGateModule } from './http/graphql-gate.module.js';
import { GraphqlLoadersModule } from './loaders/graphql-loaders.module.js';
import { RequestLoadersFactory, type GraphqlRequestContext } from './loaders/request-loaders.js';
import { ONBOARDING_RESOLVERS } from './onboarding/onboarding.resolvers.js';
import { REGISTRY_RESOLVERS } from './registry/registry.resolver.js';
import { MeshTopologyResolver } from './topology/topology.resolver.js';
import { queryCostRule } from './limits/query-cost.rule.js';
import { FleetSubscriptionsResolver } from './subscriptions/fleet-subscriptions.resolver.js';
import { GraphqlSubscriptionsModule } from './subscriptions/graphql-subscriptions.module.js';
import { checkSubscriptionDocument } from './subscriptions/subscription-document.js';
import { WsConnections } from './subscriptions/ws-connections.js';
import { KIND_MUTATION_RESOLVERS } from './meshes/kind-mutations.resolver.js';
import { MeshMutationsResolver } from './meshes/mesh-mutations.resolver.js';
import { TagMutationsResolver } from './meshes/tag-mutations.resolver.js';
import { SPEC_DATA_TYPE_NAMES } from './specs/spec-types.js';
import { MeshResolver } from './meshes/mesh.resolver.js';
import { RESOURCE_LOOKUP_RESOLVERS } from './meshes/resource-lookups.resolver.js';
import {
  PROXIES_RESOLVERS,
  SPEC_RESOLVERS,
  VirtualGatewayResolver,
  VirtualRouterResolver,
} from './meshes/resource.resolvers.js';

/** The path the api role serves GraphQL at. */
export const GRAPHQL_PATH = '/graphql';

/** How often an idle subscription socket is pinged, so load balancers do not close it as idle. */
const WS_KEEP_ALIVE_MS = 30_000;

/** Every resolver of the GraphQL API: this module provides them, the schema printer builds from them. */
export const GRAPHQL_RESOLVERS: readonly Type<unknown>[] = [
  MeshResolver,
  ...RESOURCE_LOOKUP_RESOLVERS,
  MeshMutationsResolver,
  VirtualRouterResolver,
  VirtualGatewayResolver,
  ...SPEC_RESOLVERS,
  ...PROXIES_RESOLVERS,
  ...KIND_MUTATION_RESOLVERS,
  TagMutationsResolver,
  MeshTopologyResolver,
  ...ONBOARDING_RESOLVERS,
  ...ACCOUNT_RESOLVERS,
  AccountBillingResolver,
  Ec2SyncSourcesResolver,
  ...REGISTRY_RESOLVERS,
  FleetSubscriptionsResolver,
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
    BillingCoreModule,
    GraphqlSubscriptionsModule,
    Ec2SyncCoreModule,
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      imports: [GraphqlGateModule, GraphqlLoadersModule, GraphqlSubscriptionsModule],
      inject: [GraphqlGate, RequestLoadersFactory, WsConnections, APP_CONFIG],
      useFactory: (
        gate: GraphqlGate,
        loaders: RequestLoadersFactory,
        sockets: WsConnections,
        config: AppConfig,
      ): MercuriusDriverConfig => ({
        path: GRAPHQL_PATH,
        // The schema is built in memory; the committed SDL is printed by scripts, never at startup.
        autoSchemaFile: true,
        sortSchema: true,
        // GraphiQL at /graphiql, for development (GRAPHQL_EXPLORER); introspection is always on.
        graphiql: config.graphqlExplorer,
        queryDepth: GRAPHQL_LIMITS.maxDepth,
        validationRules: [queryCostRule(GRAPHQL_LIMITS.maxCost, SPEC_DATA_TYPE_NAMES)],
        errorFormatter: (execution) => formatGraphqlErrors(execution),
        additionalRouteOptions: {
          preValidation: gate.preValidation,
          preHandler: sockets.preHandler,
          serializerCompiler: graphqlResponseSerializer,
        },
        // Fresh loaders per request (the driver adds `req`): batching never caches across requests.
        context: (): GraphqlRequestContext => ({ loaders: loaders.create() }),
        // Subscriptions over graphql-ws on the same path (ADR 0019): authenticated in
        // connection_init, fed by the fleet's events in Redis (no in-process pubsub is used).
        subscription: {
          context: (socket, request) => sockets.context(socket as never, request),
          keepAlive: WS_KEEP_ALIVE_MS,
        },
        hooks: { preSubscriptionParsing: (schema, source) => checkSubscriptionDocument(schema, source) },
      }),
    }),
  ],
  providers: [...GRAPHQL_RESOLVERS],
})
export class GraphqlModule {}
