import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ReadinessService } from '../../platform/health/readiness.service.js';

/**
 * The gRPC server of an xds shard. It binds XDS_HOST:XDS_PORT and serves the standard
 * grpc.health.v1 service (for L4 load balancers and `grpc_health_probe`). The aggregated
 * discovery service is added to this same server.
 */
@Injectable()
export class XdsGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(XdsGrpcServer.name);
  readonly server = new Server({
    // Streams live for hours; keepalives detect peers that vanished without closing.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private boundPort: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
  ) {
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
      this.server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    this.health.setStatus('', 'SERVING');
    this.log.log(`xDS gRPC server listening on ${this.config.xdsHost}:${this.boundPort}`);
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
