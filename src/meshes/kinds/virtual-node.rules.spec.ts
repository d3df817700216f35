import { describe, expect, it } from 'vitest';
import { quotasOf } from '../../tenants/plans.js';
import { virtualNodeRules } from './virtual-node.rules.js';

const quotas = quotasOf('standard');
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
});
