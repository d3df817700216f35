import { describe, expect, it } from 'vitest';
import { validateEnvoyConfig } from '../../../test/support/envoy.js';
import { ModelRequestGenerator, seededRandom, type Mutation } from '../../../test/support/fuzz/model-requests.js';
import { buildSnapshot, type MeshInput } from '../../../test/support/snapshot-builder.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppMeshModel, type OperationName } from '../../meshes/api-model/app-mesh-model.js';
import { KIND_RULES } from '../../meshes/resources/kind-registry.js';
import type { Spec } from '../../meshes/resources/kind-rules.js';
import type { PlanQuotas } from '../../billing/plans/plan-quotas.js';
import { encodeMessage } from '../encoding/protos.js';
import { PROXYLESS_VIEW_PREFIX } from './proxyless.js';
import { staticBootstrap } from './static-config.js';
import { translate } from './translate.js';

/**
 * What the API accepts, a real Envoy loads. Specs generated from the App Mesh model (valid shapes,
 * and every bounded number at an end of its range) that pass the API's validation and kind rules
 * are placed in a mesh, translated, encoded by the production encoder and loaded into Envoy 1.40
 * (validate mode). A spec that passes the API and is refused by Envoy would be a NACK in
 * production. Deterministic: fixed seeds. File paths are the only values replaced (Envoy opens
 * certificate and log files when it loads a configuration; whether they exist is the proxy's
 * environment, not the API's input).
 */
const model = AppMeshModel.load();
const generator = new ModelRequestGenerator(model);
/** The enterprise plan's quotas as seeded: the widest inputs the rules accept. */
const quotas: PlanQuotas = {
  meshesPerAccount: 100,
  virtualNodesPerMesh: 1000,
  virtualServicesPerMesh: 1000,
  virtualRoutersPerMesh: 1000,
  routesPerVirtualRouter: 200,
  virtualGatewaysPerMesh: 20,
  gatewayRoutesPerVirtualGateway: 100,
  backendsPerVirtualNode: 50,
  weightedTargetsPerRoute: 10,
  tagsPerResource: 50,
  connectedProxiesPerVirtualNode: 500,
  connectedProxiesPerVirtualGateway: 500,
  apiRequestsPerSecond: 5000,
  ec2SyncSourcesPerAccount: 100,
};
const CERTS = 'src/xds-fleet/translator/testdata/certs';
const SEEDS = Array.from({ length: Number(process.env['GEN_SEEDS'] ?? 60) }, (_, i) => i + 1);
/** Valid input; every bounded number at an end of its range; free text with characters that mean something. */
const MUTATIONS: Mutation[] = ['none', 'extremes', 'oddText'];

/** The spec of a generated Create request, if the API accepts it. */
function accepted(op: OperationName, path: Record<string, string>, seed: number, mutation: Mutation): Spec | undefined {
  const request = generator.generate(model.operation(op), mutation, seededRandom(seed));
  let input: Record<string, unknown>;
  try {
    input = model.validateInput(op, { path, query: {}, body: JSON.parse(request.body ?? '{}') as unknown });
  } catch (err) {
    if (err instanceof DomainError) return undefined;
    throw err;
  }
  return input['spec'] as Spec;
}

/** Replaces file paths with files that exist (test certificates, stdout). */
function withRealFiles(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withRealFiles(v));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withRealFiles(v, k)]));
  if (key === 'certificateChain') return `${CERTS}/test-catalog-server.crt`;
  if (key === 'privateKey') return `${CERTS}/test-catalog-server.key`;
  if (key === 'path' && typeof value === 'string' && !value.startsWith('/')) return value; // an HTTP path
  return value;
}

function logToStdout(spec: Spec): Spec {
  const file = (spec['logging'] as { accessLog?: { file?: Record<string, unknown> } } | undefined)?.accessLog?.file;
  if (file) file['path'] = '/dev/stdout';
  return spec;
}

const provider = {
  name: 'target',
  spec: {
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: 'target.local' } },
  },
};
const service = { name: 'svc.local', spec: { provider: { virtualNode: { virtualNodeName: 'target' } } } };

function meshes(seed: number, mutation: Mutation): { kind: string; mesh: MeshInput }[] {
  const out: { kind: string; mesh: MeshInput }[] = [];
  const node = accepted('CreateVirtualNode', { meshName: 'm' }, seed, mutation);
  if (node && KIND_RULES.virtualNode.check(node, { quotas }).length === 0) {
    const spec = logToStdout(withRealFiles(node) as Spec);
    // The node serves svc.local, and calls it, so its listeners shape both its ingress and others' egress.
    const backends = [
      ...((spec['backends'] as unknown[] | undefined) ?? []),
      { virtualService: { virtualServiceName: 'svc.local' } },
    ];
    out.push({
      kind: 'virtual node',
      mesh: {
        mesh: { name: 'm' },
        virtualNodes: [
          { name: 'n', spec: { ...spec, backends } },
          { name: 'client', spec: { backends: [{ virtualService: { virtualServiceName: 'svc.local' } }] } },
        ],
        virtualServices: [{ name: 'svc.local', spec: { provider: { virtualNode: { virtualNodeName: 'n' } } } }],
      },
    });
  }
  const gateway = accepted('CreateVirtualGateway', { meshName: 'm' }, seed, mutation);
  if (gateway && KIND_RULES.virtualGateway.check(gateway, { quotas }).length === 0) {
    const spec = logToStdout(withRealFiles(gateway) as Spec);
    const listeners = (spec['listeners'] as { portMapping: { protocol: string } }[]) ?? [];
    const member =
      { http: 'httpRoute', http2: 'http2Route', grpc: 'grpcRoute' }[listeners[0]?.portMapping.protocol ?? 'http'] ??
      'httpRoute';
    const match = member === 'grpcRoute' ? { serviceName: 's' } : { prefix: '/' };
    out.push({
      kind: 'virtual gateway',
      mesh: {
        mesh: { name: 'm' },
        virtualNodes: [provider],
        virtualServices: [service],
        virtualGateways: [
          {
            name: 'g',
            spec,
            gatewayRoutes: [
              {
                name: 'r',
                spec: {
                  [member]: { match, action: { target: { virtualService: { virtualServiceName: 'svc.local' } } } },
                },
              },
            ],
          },
        ],
      },
    });
  }
  const route = accepted('CreateRoute', { meshName: 'm', virtualRouterName: 'r' }, seed, mutation);
  const member = route && (['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const).find((m) => route[m]);
  if (route && member) {
    const body = route[member] as {
      match?: { port?: number };
      action: { weightedTargets: { virtualNode: string; port?: number }[] };
    };
    const protocol = PROTOCOL_OF[member];
    const router = { listeners: [{ portMapping: { port: body.match?.port ?? 8080, protocol } }] };
    if (KIND_RULES.route.check(route, { quotas, parentSpec: router }).length === 0) {
      // Every target node exists, with a listener on each port the route sends to.
      const ports = new Map<string, Set<number>>();
      for (const t of body.action.weightedTargets)
        ports.set(t.virtualNode, (ports.get(t.virtualNode) ?? new Set()).add(t.port ?? 8080));
      const targets = [...ports].map(([name, set]) => ({
        name,
        spec: {
          listeners: [...set].map((port) => ({ portMapping: { port, protocol } })),
          serviceDiscovery: { dns: { hostname: 'target.local' } },
        },
      }));
      out.push({
        kind: 'route',
        mesh: {
          mesh: { name: 'm' },
          virtualNodes: [
            ...targets,
            { name: 'client-of-router', spec: { backends: [{ virtualService: { virtualServiceName: 'svc.local' } }] } },
          ],
          virtualRouters: [{ name: 'r', spec: router, routes: [{ name: 'x', spec: route }] }],
          virtualServices: [{ name: 'svc.local', spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } } }],
        },
      });
    }
  }
  const gatewayRoute = accepted('CreateGatewayRoute', { meshName: 'm', virtualGatewayName: 'g' }, seed, mutation);
  const gwMember = gatewayRoute && (['httpRoute', 'http2Route', 'grpcRoute'] as const).find((m) => gatewayRoute[m]);
  if (gatewayRoute && gwMember) {
    const body = gatewayRoute[gwMember] as {
      match?: { port?: number };
      action: { target: { virtualService: { virtualServiceName: string }; port?: number } };
    };
    const protocol = PROTOCOL_OF[gwMember];
    const gatewaySpec = { listeners: [{ portMapping: { port: body.match?.port ?? 8080, protocol } }] };
    if (KIND_RULES.gatewayRoute.check(gatewayRoute, { quotas, parentSpec: gatewaySpec }).length === 0) {
      body.action.target.virtualService.virtualServiceName = 'svc.local';
      const targetPort = body.action.target.port ?? 9000;
      out.push({
        kind: 'gateway route',
        mesh: {
          mesh: { name: 'm' },
          virtualNodes: [
            {
              name: 'target',
              spec: {
                listeners: [{ portMapping: { port: targetPort, protocol } }],
                serviceDiscovery: { dns: { hostname: 'target.local' } },
              },
            },
          ],
          virtualServices: [service],
          virtualGateways: [{ name: 'g', spec: gatewaySpec, gatewayRoutes: [{ name: 'r', spec: gatewayRoute }] }],
        },
      });
    }
  }
  return out;
}

const PROTOCOL_OF = { httpRoute: 'http', http2Route: 'http2', grpcRoute: 'grpc', tcpRoute: 'tcp' } as const;

describe('what the API accepts, a real Envoy loads (model-generated specs)', () => {
  const cases = SEEDS.flatMap((seed) =>
    MUTATIONS.flatMap((mutation) => meshes(seed, mutation).map((c) => ({ ...c, seed, mutation }))),
  );

  it('generates enough accepted specs of each kind to mean something', () => {
    expect(cases.filter((c) => c.kind === 'virtual node').length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.kind === 'virtual gateway').length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.kind === 'route').length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.kind === 'gateway route').length).toBeGreaterThan(20);
    for (const mutation of MUTATIONS) expect(cases.filter((c) => c.mutation === mutation).length).toBeGreaterThan(20);
  });

  it('loads every proxy of every generated mesh', async () => {
    const failures: string[] = [];
    await Promise.all(
      cases.map(async ({ kind, mesh, seed, mutation }) => {
        const result = translate(buildSnapshot(mesh));
        for (const [view, set] of result.views) {
          if (view.startsWith(PROXYLESS_VIEW_PREFIX)) continue;
          const bytes = encodeMessage(
            'envoy.config.bootstrap.v3.Bootstrap',
            staticBootstrap(set, { adminPort: 19901, nodeId: view }),
          );
          const verdict = await validateEnvoyConfig(bytes);
          if (!verdict.ok) {
            // Envoy prints the configuration before its reason: the reason is the last lines.
            const why = verdict.output.trim().split('\n').slice(-3).join(' ').slice(-800);
            failures.push(
              `${kind} (seed ${seed}, ${mutation}) ${view}: ${why}\nspec: ${JSON.stringify(mesh).slice(0, 1500)}`,
            );
          }
        }
      }),
    );
    expect(failures).toEqual([]);
  }, 120_000);
});
