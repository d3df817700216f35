import { Inject, Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { proxyResourceArn } from '../identity/node-id.js';
import type { ProxyKind } from '../identity/proxy-identity.js';
import { ProxyTokenService } from '../identity/proxy-tokens.service.js';
import { bootstrapOptions, type BootstrapFormat } from './bootstrap-options.js';
import { envoyBootstrap, envoyBootstrapYaml, type BootstrapTarget } from './envoy-bootstrap.js';
import { grpcBootstrap } from './grpc-bootstrap.js';

/** A rendered bootstrap, ready to be written to a file. */
export interface GeneratedBootstrap {
  readonly format: BootstrapFormat;
  readonly contentType: 'application/yaml' | 'application/json';
  readonly body: string;
  /** The id of the proxy token inside it, for revoking it later. */
  readonly tokenId: string;
}

/**
 * Bootstraps for proxies: an Envoy YAML bootstrap or a proxyless gRPC JSON one, for a virtual
 * node or gateway of the caller's tenant. Every bootstrap carries a fresh proxy token, so each
 * proxy (or group of proxies started from one file) can be revoked on its own. Transport-free:
 * REST and the operator CLI call it.
 */
@Injectable()
export class BootstrapService {
  constructor(
    private readonly tokens: ProxyTokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `query` holds the optional overrides (format, zone, ports, xDS address, TLS); it is validated
   * before a token is issued (problems name `where.<option>`), and the resource must exist in the tenant (NOT_FOUND otherwise).
   */
  async generate(
    scope: TenantScope,
    resource: { readonly meshName: string; readonly kind: ProxyKind; readonly name: string },
    query: unknown,
    where = 'query',
  ): Promise<GeneratedBootstrap> {
    const defaults = {
      host: this.config.xdsPublicHost,
      port: this.config.xdsPublicPort ?? this.config.xdsPort,
      // A shard that serves TLS itself is reached over TLS, whatever is in front of it.
      tls: this.config.xdsPublicTls || this.config.xdsTlsCertFile !== undefined,
    };
    const options = bootstrapOptions(query, defaults, resource.kind, where);
    const { token, tokenId } = await this.tokens.issue(scope, resource.meshName, resource.kind, resource.name);
    const target: BootstrapTarget = {
      ...resource,
      arn: proxyResourceArn(this.config.region, scope.accountId, resource.meshName, resource.kind, resource.name),
    };
    if (options.format === 'grpc') {
      const body = `${JSON.stringify(grpcBootstrap(target, token, options), null, 2)}\n`;
      return { format: 'grpc', contentType: 'application/json', body, tokenId };
    }
    const body = envoyBootstrapYaml(target, envoyBootstrap(target, token, options), tokenId);
    return { format: 'envoy', contentType: 'application/yaml', body, tokenId };
  }
}
