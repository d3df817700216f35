import { Counter, type Registry } from 'prom-client';
import type { ClientErrorReason } from './client-error-handler.js';

/**
 * What the HTTP limits cut. Created before the application (the server exists before Nest
 * does) and added to its registry once it is built, so /metrics shows them with the rest.
 */
export class HttpConnectionMetrics {
  readonly connectionsRefused = new Counter({
    name: 'meshplane_http_connections_refused_total',
    help: 'Connections closed on accept because their client address already held HTTP_MAX_CONNECTIONS_PER_CLIENT.',
    registers: [],
  });
  readonly clientErrors = new Counter<'reason'>({
    name: 'meshplane_http_client_errors_total',
    help: 'Connections closed by the HTTP parser before a route ran, by reason: request_timeout, headers_timeout, headers_too_large, malformed.',
    labelNames: ['reason'],
    registers: [],
  });

  countClientError(reason: ClientErrorReason): void {
    this.clientErrors.inc({ reason });
  }

  registerIn(registry: Registry): void {
    registry.registerMetric(this.connectionsRefused);
    registry.registerMetric(this.clientErrors);
  }
}
