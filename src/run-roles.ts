import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { AppConfig, Role } from './config/config.schema.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { ReadinessService } from './platform/health/readiness.service.js';
import { createHttpApp } from './platform/http/create-http-app.js';

/** Boots the given roles in this process and shuts them down, within a bound, on SIGTERM/SIGINT. */
export async function runRoles(roles: readonly Role[]): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, roles);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createHttpApp(AppModule.forRoles(config), config);
  const port = roles.includes('api')
    ? config.port
    : roles.includes('worker')
      ? config.workerHttpPort
      : config.xdsHttpPort;
  await app.listen({ port, host: config.host });
  installShutdown(app, config);
}

function installShutdown(app: NestFastifyApplication, config: AppConfig): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.get(ReadinessService).beginDraining();
    const timer = setTimeout(() => {
      process.stderr.write(`shutdown did not finish within ${config.shutdownTimeoutMs} ms; exiting\n`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    // app.close() stops accepting connections, waits for in-flight requests, then runs every
    // module's shutdown hook (xDS server, queues, Redis and PostgreSQL pools).
    app
      .close()
      .then(() => {
        process.stderr.write(`stopped after ${signal}\n`);
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
