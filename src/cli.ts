import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainError } from './common/errors/domain-error.js';
import { ConfigModule } from './config/config.module.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { PrismaModule } from './platform/prisma/prisma.module.js';
import { CredentialsService } from './tenants/credentials/credentials.service.js';
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

Prints JSON. Uses DATABASE_URL and MESH_MASTER_KEY (from .data/local.env after npm start).`;

class UsageError extends Error {}

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb, ...args] = positionals;
  if (values.help || !noun || !verb) throw new UsageError(USAGE);

  const config = loadConfig(process.env, []);
  if (config.masterKey === undefined)
    throw new ConfigError(['MESH_MASTER_KEY is required to create or use credentials']);
  @Module({ imports: [ConfigModule.forRoot(config), PrismaModule, TenantsCoreModule] })
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

try {
  const result = await main(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
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
