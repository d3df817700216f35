import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service.js';

/** What compiling meshes costs and produces, on the /metrics page of the role that compiles (the worker). */
@Injectable()
export class CompilerMetrics {
  readonly compiles: Counter<'status'>;
  readonly compileFailures: Counter<'reason'>;
  readonly compileSeconds: Histogram;
  readonly resourcesEncoded: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.compiles = new Counter({
      name: 'meshplane_mesh_compiles_total',
      help: 'Mesh compiles by outcome (published, unchanged, superseded, deleted, rejected: not published because of a configuration problem on a served resource, inconsistent: not published because of a translator defect, failed: not compiled because the translator or the build threw (retried with backoff), error: threw on PostgreSQL or Redis (retried with backoff)).',
      labelNames: ['status'],
      registers,
    });
    this.compileFailures = new Counter({
      name: 'meshplane_mesh_compile_failures_total',
      help: 'Compile failures by reason: encoder (resources that could not be encoded: kept at their last good version or left out, the rest published), inconsistent (translator defect caught by the consistency check, not published), translator (the translator threw), internal (building the configuration threw), error (PostgreSQL or Redis). Alert on any increase of translator, internal or inconsistent.',
      labelNames: ['reason'],
      registers,
    });
    this.compileSeconds = new Histogram({
      name: 'meshplane_mesh_compile_duration_seconds',
      help: 'Time to load, translate, encode and publish one mesh.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.resourcesEncoded = new Counter({
      name: 'meshplane_xds_resources_encoded_total',
      help: 'Envoy resources encoded and stored by compiles (unchanged resources are not re-encoded).',
      registers,
    });
  }
}
