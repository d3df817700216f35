import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainError } from './common/errors/domain-error.js';
import type { TenantScope } from './common/tenancy/tenant-scope.js';
import { ConfigModule } from './config/config.module.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { PrismaModule } from './platform/prisma/prisma.module.js';
import { RedisModule } from './platform/redis/redis.module.js';
import { BootstrapService } from './xds-fleet/onboarding/bootstrap.service.js';
import { OnboardingCoreModule } from './xds-fleet/onboarding/onboarding-core.module.js';
import { CredentialsService } from './tenants/credentials/credentials.service.js';
import { PlansCoreModule } from './billing/plans/plans-core.module.js';
import { TenantsCoreModule } from './tenants/tenants-core.module.js';
import { TenantsService } from './tenants/tenants.service.js';

const USAGE = `Usage: npm run cli -- <command>

  tenant create --name <name> [--plan free|standard|enterprise]
  tenant list [--limit N] [--next-token T]
  tenant get|suspend|resume|delete <accountId>
  access-key create <accountId> [--description D]
  access-key list <accountId>
  access-key revoke <accountId> <accessKeyId>
  api-token create <accountId> --name <name>
  api-token list <accountId>
  api-token revoke <accountId> <tokenId>
  bootstrap --tenant <accountId or name> --mesh <mesh> (--virtual-node <name> | --virtual-gateway <name>)
            [--format envoy|grpc] [--zone Z] [--admin-port N] [--ingress-port N] [--egress-port N] [--address IP]
            [--xds-host H] [--xds-port N] [--tls] [--ca-file F]

Prints JSON; bootstrap prints the bootstrap itself (Envoy YAML, or gRPC xDS JSON with --format grpc),
with a new proxy token inside, and the token's id on stderr.
Uses DATABASE_URL and MESH_MASTER_KEY (from .data/local.env after npm start), and REDIS_URL when set:
suspending or deleting a tenant then ends its proxies' xDS streams at once (else within 30 s).`;

class UsageError extends Error {}

/** Output printed as it is, not as JSON (a bootstrap file). */
class RawOutput {
  constructor(readonly text: string) {}
}

/** Operator CLI: the same operations as /admin/v1, against the database directly. */
async function main(argv: string[]): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      plan: { type: 'string' },
      description: { type: 'string' },
      limit: { type: 'string' },
      'next-token': { type: 'string' },
      tenant: { type: 'string' },
      mesh: { type: 'string' },
      'virtual-node': { type: 'string' },
      'virtual-gateway': { type: 'string' },
      format: { type: 'string' },
      zone: { type: 'string' },
      'admin-port': { type: 'string' },
      'ingress-port': { type: 'string' },
      'egress-port': { type: 'string' },
      address: { type: 'string' },
      'xds-host': { type: 'string' },
      'xds-port': { type: 'string' },
      tls: { type: 'boolean' },
      'ca-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb, ...args] = positionals;
  if (values.help || !noun || (!verb && noun !== 'bootstrap')) throw new UsageError(USAGE);

  const config = loadConfig(process.env, []);
  if (config.masterKey === undefined)
    throw new ConfigError(['MESH_MASTER_KEY is required to create or use credentials']);
  // Redis carries revocation notices (suspend, delete) to running processes; optional here.
  const redis = config.redisUrl === undefined ? [] : [RedisModule];
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      PrismaModule,
      ...redis,
      PlansCoreModule,
      TenantsCoreModule,
      OnboardingCoreModule,
    ],
  })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    const tenants = app.get(TenantsService);
    const credentials = app.get(CredentialsService);
    const arg = (i: number, what: string) => {
      const v = args[i];
      if (v === undefined) throw new UsageError(`missing <${what}>\n\n${USAGE}`);
      return v;
    };
    if (noun === 'bootstrap') {
      if (verb !== undefined) throw new UsageError(`unexpected argument: ${verb}\n\n${USAGE}`);
      if (values.tenant === undefined) throw new UsageError(`missing --tenant\n\n${USAGE}`);
      return await bootstrap(app.get(BootstrapService), await tenants.scopeOfAccountOrName(values.tenant), values);
    }
    switch (`${noun} ${verb}`) {
      case 'tenant create':
        return await tenants.create({ name: values.name, ...(values.plan === undefined ? {} : { plan: values.plan }) });
      case 'tenant list':
        return await tenants.list({ limit: values.limit, nextToken: values['next-token'] });
      case 'tenant get':
        return await tenants.get(arg(0, 'accountId'));
      case 'tenant suspend':
        return await tenants.suspend(arg(0, 'accountId'));
      case 'tenant resume':
        return await tenants.resume(arg(0, 'accountId'));
      case 'tenant delete':
        await tenants.delete(arg(0, 'accountId'));
        return { deleted: args[0] };
      case 'access-key create':
        return await credentials.createAccessKey(
          await tenants.scopeOf(arg(0, 'accountId')),
          values.description === undefined ? {} : { description: values.description },
        );
      case 'access-key list':
        return { accessKeys: await credentials.listAccessKeys(await tenants.scopeOf(arg(0, 'accountId'))) };
      case 'access-key revoke':
        return await credentials.revokeAccessKey(await tenants.scopeOf(arg(0, 'accountId')), arg(1, 'accessKeyId'));
      case 'api-token create':
        return await credentials.createApiToken(await tenants.scopeOf(arg(0, 'accountId')), { name: values.name });
      case 'api-token list':
        return { apiTokens: await credentials.listApiTokens(await tenants.scopeOf(arg(0, 'accountId'))) };
      case 'api-token revoke':
        return await credentials.revokeApiToken(await tenants.scopeOf(arg(0, 'accountId')), arg(1, 'tokenId'));
      default:
        throw new UsageError(`unknown command: ${noun} ${verb}\n\n${USAGE}`);
    }
  } finally {
    await app.close();
  }
}

/** `bootstrap`: the same bootstrap as GET /v1/meshes/{mesh}/virtualNodes/{name}/bootstrap. */
async function bootstrap(
  bootstraps: BootstrapService,
  scope: TenantScope,
  values: Record<string, string | boolean | undefined>,
): Promise<RawOutput> {
  const node = values['virtual-node'];
  const gateway = values['virtual-gateway'];
  const mesh = values['mesh'];
  if (typeof mesh !== 'string' || (typeof node === 'string') === (typeof gateway === 'string')) {
    throw new UsageError(`bootstrap needs --mesh and one of --virtual-node, --virtual-gateway\n\n${USAGE}`);
  }
  const query: Record<string, string> = {};
  const params = {
    format: 'format',
    zone: 'zone',
    adminPort: 'admin-port',
    ingressPort: 'ingress-port',
    egressPort: 'egress-port',
    address: 'address',
    xdsHost: 'xds-host',
    xdsPort: 'xds-port',
    caFile: 'ca-file',
  } as const;
  for (const [param, option] of Object.entries(params)) {
    const value = values[option];
    if (typeof value === 'string') query[param] = value;
  }
  if (values['tls'] === true) query['tls'] = 'true';
  const generated = await bootstraps.generate(
    scope,
    typeof node === 'string'
      ? { meshName: mesh, kind: 'virtualNode', name: node }
      : { meshName: mesh, kind: 'virtualGateway', name: gateway as string },
    query,
  );
  process.stderr.write(`proxy token id: ${generated.tokenId}\n`);
  return new RawOutput(generated.body);
}

try {
  const result = await main(process.argv.slice(2));
  process.stdout.write(result instanceof RawOutput ? result.text : `${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof DomainError || err instanceof ConfigError) {
    process.stderr.write(`${err instanceof DomainError ? `${err.code}: ` : ''}${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
