import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ReadinessService } from '../../platform/health/readiness.service.js';
import { ADS_SERVICE, AdsService } from './ads.service.js';

/**
 * The gRPC server of an xds shard. It binds XDS_HOST:XDS_PORT (TLS when a certificate is
 * configured) and serves the aggregated discovery service and the standard grpc.health.v1 service
 * (for L4 load balancers and `grpc_health_probe`).
 */
@Injectable()
export class XdsGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(XdsGrpcServer.name);
  readonly server: Server;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private boundPort: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
    ads: AdsService,
  ) {
    this.server = new Server({
      // Streams live for hours; keepalives detect peers that vanished without closing.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Connections are recycled (GOAWAY after the age, grpc-js adds ±10% jitter) so proxies
      // rebalance across shards; open streams get a grace period to finish.
      'grpc.max_connection_age_ms': config.xdsMaxConnectionAgeMs,
      'grpc.max_connection_age_grace_ms': 30_000,
      // Envoy's CDS/LDS for a large mesh can exceed the 4 MiB default in either direction.
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    this.server.addService(ADS_SERVICE, ads.implementation());
    this.health.addToServer(this.server);
    this.readiness.register('xds-server', () => {
      if (this.boundPort === undefined) throw new Error('xDS gRPC server is not listening');
    });
  }

  /** The port actually bound (differs from XDS_PORT when that is 0, as in tests). */
  get port(): number | undefined {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const address = `${this.config.xdsHost}:${this.config.xdsPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, this.credentials(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.health.setStatus('', 'SERVING');
    const tls = this.config.xdsTlsCertFile ? 'TLS' : 'plaintext';
    this.log.log(`xDS gRPC server listening on ${this.config.xdsHost}:${this.boundPort} (${tls})`);
  }

  private credentials(): ServerCredentials {
    const { xdsTlsCertFile: cert, xdsTlsKeyFile: key } = this.config;
    if (!cert && !key) return ServerCredentials.createInsecure();
    if (!cert || !key) throw new Error('XDS_TLS_CERT_FILE and XDS_TLS_KEY_FILE must be set together');
    return ServerCredentials.createSsl(
      null,
      [{ cert_chain: readFileSync(cert), private_key: readFileSync(key) }],
      false,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.health.setStatus('', 'NOT_SERVING');
    // Ask clients to go away; Envoy keeps its configuration and reconnects to another shard.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2_000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.boundPort = undefined;
  }
}
