import { Module, type DynamicModule } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ConfigModule } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { RedisModule } from './redis/redis.module.js';
import { TextInputPipe } from './http/text-input.pipe.js';

/** What every role needs: configuration, logs, PostgreSQL, Redis, health and metrics. */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        PrismaModule,
        RedisModule,
        HealthModule,
        MetricsModule,
      ],
      // Every @Param/@Query/@Body of every controller passes the text rule (src/common/validation/text.ts).
      providers: [{ provide: APP_PIPE, useClass: TextInputPipe }],
    };
  }
}
