import { describe, expect, it } from 'vitest';
import type { PlanQuotas } from '../../billing/plans/plan-quotas.js';
import { virtualNodeRules } from './virtual-node.rules.js';

/** The standard plan's quotas as seeded (App Mesh's defaults). */
const quotas: PlanQuotas = {
  meshesPerAccount: 15,
  virtualNodesPerMesh: 200,
  virtualServicesPerMesh: 200,
  virtualRoutersPerMesh: 200,
  routesPerVirtualRouter: 50,
  virtualGatewaysPerMesh: 3,
  gatewayRoutesPerVirtualGateway: 10,
  backendsPerVirtualNode: 50,
  weightedTargetsPerRoute: 10,
  tagsPerResource: 50,
  connectedProxiesPerVirtualNode: 50,
  connectedProxiesPerVirtualGateway: 50,
  apiRequestsPerSecond: 200,
  ec2SyncSourcesPerAccount: 10,
};
const withOutlier = (interval: number, base: number) =>
  virtualNodeRules.check(
    {
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          outlierDetection: {
            maxServerErrors: 5,
            maxEjectionPercent: 10,
            interval: { unit: 's', value: interval },
            baseEjectionDuration: { unit: 'ms', value: base },
          },
        },
      ],
      serviceDiscovery: { dns: { hostname: 'a.local' } },
    },
    { quotas },
  );

describe('virtual node rules', () => {
  it('refuses zero outlier detection durations, which Envoy refuses in every caller of the node', () => {
    expect(withOutlier(1, 1)).toEqual([]);
    expect(withOutlier(0, 0)).toEqual([
      'spec.listeners[0].outlierDetection.interval.value: must be greater than 0 (Envoy refuses a zero duration here)',
      'spec.listeners[0].outlierDetection.baseEjectionDuration.value: must be greater than 0 (Envoy refuses a zero duration here)',
    ]);
  });

  it('refuses a JSON log format that names a key twice (one value would be silently dropped)', () => {
    const log = (json: { key: string; value: string }[]) =>
      virtualNodeRules.check(
        { logging: { accessLog: { file: { path: '/dev/stdout', format: { json } } } } },
        { quotas },
      );
    expect(
      log([
        { key: 'a', value: '%PROTOCOL%' },
        { key: 'b', value: '%PROTOCOL%' },
      ]),
    ).toEqual([]);
    expect(
      log([
        { key: 'a', value: '%PROTOCOL%' },
        { key: 'a', value: '%RESPONSE_CODE%' },
      ]),
    ).toEqual([
      'spec.logging.accessLog.file.format.json[1].key: each key of a JSON log format must be different (same as spec.logging.accessLog.file.format.json[0].key)',
    ]);
  });
});
