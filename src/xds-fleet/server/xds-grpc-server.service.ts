import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ReadinessService } from '../../platform/health/readiness.service.js';
import { decodeMessage } from '../encoding/protos.js';
import { ADS_SERVICE, AdsService } from './ads.service.js';

/** How long open streams get to finish on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

type ConnectionInjector = ReturnType<Server['createConnectionInjector']>;

/**
 * The gRPC server of an xds shard. It listens on XDS_HOST:XDS_PORT (TLS when a certificate is
 * configured) and serves the aggregated discovery service and the standard grpc.health.v1 service
 * (for L4 load balancers and `grpc_health_probe`).
 *
 * The shard owns its listening sockets (grpc-js' bindAsync cannot set the listen backlog, and
 * Node's default of 511 drops connections during a reconnect storm): they listen with
 * XDS_LISTEN_BACKLOG and hand every accepted connection to grpc-js through a connection injector,
 * which does the rest as for a bound port (TLS handshake, HTTP/2, keepalive, connection age).
 */
@Injectable()
export class XdsGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(XdsGrpcServer.name);
  readonly server: Server;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private listeners: NetServer[] = [];
  /** Accepted connections, until they close: the ones grpc-js never made a session of are cut on shutdown. */
  private readonly sockets = new Set<Socket>();
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
    // Build the xDS descriptor root and the request decoders now (tens of milliseconds of CPU):
    // otherwise the first streams after a start, often a whole fleet reconnecting, wait for it.
    for (const type of ['DiscoveryRequest', 'DeltaDiscoveryRequest'])
      decodeMessage(`envoy.service.discovery.v3.${type}`, new Uint8Array(0));
    const injector = this.server.createConnectionInjector(this.credentials());
    const { xdsHost: host, xdsListenBacklog: backlog } = this.config;
    // Every address the host resolves to, as grpc-js binds them ("localhost": 127.0.0.1 and ::1),
    // all on the port the first one got.
    const addresses = await lookup(host, { all: true });
    let port = this.config.xdsPort;
    try {
      for (const { address } of addresses) {
        const listener = createServer((socket) => this.accept(socket, injector));
        this.listeners.push(listener);
        port = await listen(listener, { host: address, port, backlog });
        // Accept errors (EMFILE during a storm) are for the kernel and the clients to retry, not a reason to exit.
        listener.on('error', (err: Error) => this.log.warn(`xDS listener on ${address}: ${err.message}`));
      }
    } catch (err) {
      for (const listener of this.listeners.splice(0)) listener.close();
      throw err;
    }
    this.boundPort = port;
    this.health.setStatus('', 'SERVING');
    const tls = this.config.xdsTlsCertFile ? 'TLS' : 'plaintext';
    this.log.log(`xDS gRPC server listening on ${host}:${port} (${tls}, backlog ${backlog})`);
  }

  private accept(socket: Socket, injector: ConnectionInjector): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    injector.injectConnection(socket);
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
    this.boundPort = undefined;
    // No new connections: the kernel refuses them, and a load balancer sends them to another shard.
    for (const listener of this.listeners.splice(0)) listener.close();
    // Ask clients to go away (GOAWAY); Envoy keeps its configuration and reconnects to another shard.
    // tryShutdown covers the injector's connections as it does bound ports'.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    // Connections grpc-js has no session for (a TLS handshake or HTTP/2 preface still pending).
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** Listens and resolves with the bound port (the one the kernel chose when `port` is 0). */
function listen(listener: NetServer, options: { host: string; port: number; backlog: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options, () => {
      listener.off('error', reject);
      resolve((listener.address() as AddressInfo).port);
    });
  });
}
