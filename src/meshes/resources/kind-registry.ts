import type { ResourceKind } from '../../generated/prisma/client.js';
import { gatewayRouteRules } from '../kinds/gateway-route.rules.js';
import { routeRules } from '../kinds/route.rules.js';
import { virtualGatewayRules } from '../kinds/virtual-gateway.rules.js';
import { virtualNodeRules } from '../kinds/virtual-node.rules.js';
import { virtualRouterRules } from '../kinds/virtual-router.rules.js';
import { virtualServiceRules } from '../kinds/virtual-service.rules.js';
import type { KindRules } from './kind-rules.js';

/** Every kind of mesh resource. Exhaustive: a new ResourceKind does not compile until it has rules. */
export const KIND_RULES: Record<ResourceKind, KindRules> = {
  virtualNode: virtualNodeRules,
  virtualService: virtualServiceRules,
  virtualRouter: virtualRouterRules,
  route: routeRules,
  virtualGateway: virtualGatewayRules,
  gatewayRoute: gatewayRouteRules,
};
