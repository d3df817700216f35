import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service.js';

/**
 * The endpoints fast path on the worker's /metrics, apart from full compiles
 * (`meshplane_mesh_compiles_total`): an endpoint change never counts as a compile.
 */
@Injectable()
export class EndpointMetrics {
  readonly updates: Counter<'status'>;
  readonly updateSeconds: Histogram;
  readonly expired: Counter;
  readonly rebuilt: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.updates = new Counter({
      name: 'meshplane_endpoint_updates_total',
      help: 'Endpoint updates (ClusterLoadAssignments rebuilt without compiling the mesh) by outcome: published, unchanged, not_compiled (no compile yet; the first one reads the endpoints), recompile (fell back to a full compile).',
      labelNames: ['status'],
      registers,
    });
    this.updateSeconds = new Histogram({
      name: 'meshplane_endpoint_update_duration_seconds',
      help: 'Time to read the live endpoints of a mesh, rebuild and encode its ClusterLoadAssignments and publish them.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.rebuilt = new Counter({
      name: 'meshplane_endpoint_assignments_rebuilt_total',
      help: 'ClusterLoadAssignments rebuilt by endpoint updates: only those of the nodes whose endpoints changed (a registry change names them), so this grows with what changed, not with the size of the mesh.',
      registers,
    });
    this.expired = new Counter({
      name: 'meshplane_endpoint_sweep_changes_total',
      help: 'Meshes whose endpoints changed because entries of proxies on a dead shard expired (found by the endpoints sweep).',
      registers,
    });
  }
}
