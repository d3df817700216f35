import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service.js';

/** What an xDS shard exports on /metrics. Tenant ids label per-tenant series (one logical server each). */
@Injectable()
export class XdsMetrics {
  readonly connected: Gauge<'tenant'>;
  readonly streamsRejected: Counter<'reason'>;
  readonly streamsEnded: Counter<'reason'>;
  readonly pushes: Counter<'tenant' | 'type'>;
  readonly nacks: Counter<'tenant' | 'type'>;
  readonly commitToAck: Histogram<'tenant'>;
  readonly tenantServers: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.connected = new Gauge({
      name: 'meshplane_xds_connected_proxies',
      help: 'Proxies (Envoys and proxyless gRPC clients) connected to this shard, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.streamsRejected = new Counter({
      name: 'meshplane_xds_streams_rejected_total',
      help: 'xDS streams refused, by reason (unauthenticated, suspended, permission_denied, quota, admission, shard_full, invalid).',
      labelNames: ['reason'],
      registers,
    });
    this.streamsEnded = new Counter({
      name: 'meshplane_xds_streams_revoked_total',
      help: 'Open xDS streams the shard ended because their credentials lost their standing, by reason (revoked: the proxy token, or its mesh; suspended or deleted: the tenant).',
      labelNames: ['reason'],
      registers,
    });
    this.pushes = new Counter({
      name: 'meshplane_xds_pushes_total',
      help: 'xDS responses sent, per tenant and resource type.',
      labelNames: ['tenant', 'type'],
      registers,
    });
    this.nacks = new Counter({
      name: 'meshplane_xds_nacks_total',
      help: 'Responses proxies rejected (NACK), per tenant and resource type.',
      labelNames: ['tenant', 'type'],
      registers,
    });
    this.commitToAck = new Histogram({
      name: 'meshplane_xds_commit_to_ack_seconds',
      help: 'From the commit of an API change to the ACK by a proxy of everything that change meant for it.',
      labelNames: ['tenant'],
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 3, 5, 10, 30],
      registers,
    });
    this.tenantServers = new Gauge({
      name: 'meshplane_xds_tenant_servers',
      help: 'Per-tenant logical xDS servers alive on this shard (one per tenant with connected proxies).',
      registers,
    });
  }
}

/** The short name of a type URL for metric labels: `Cluster`, `Listener`, ... */
export function typeLabel(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}
