import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/support/test-config.js';
import { PlatformModule } from '../platform.module.js';
import { JobHandler, JobHandlerRegistryError, resolveJobHandlers, type FoundHandler } from './job-handler.js';
import type { QueueDeclaration } from './queue-catalog.js';
import { QueueWorkersModule } from './queues.module.js';

const catalog: Record<string, QueueDeclaration> = {
  mail: { doc: '', jobs: { send: {}, bounce: {} }, concurrency: () => 1, schedules: [] },
  billing: { doc: '', jobs: { rollup: {} }, concurrency: () => 1, schedules: [] },
};
const handler = (queue: string, job: string, provider = `${queue}.${job}`): FoundHandler => ({
  queue,
  job,
  provider,
  handler: { process: async () => undefined },
});

describe('job handler registry', () => {
  it('maps every declared job to its one handler', () => {
    const resolved = resolveJobHandlers(
      [handler('mail', 'send'), handler('mail', 'bounce'), handler('billing', 'rollup')],
      catalog,
    );
    expect([...resolved.keys()]).toEqual(['mail', 'billing']);
    expect(resolved.get('mail')?.get('bounce')?.provider).toBe('mail.bounce');
  });

  it('refuses a declared job without a handler, naming the queue and the job', () => {
    const attempt = () => resolveJobHandlers([handler('mail', 'send'), handler('billing', 'rollup')], catalog);
    expect(attempt).toThrow(JobHandlerRegistryError);
    expect(attempt).toThrow(
      `queue "mail" job "bounce" has no handler (decorate a provider with @JobHandler('mail', 'bounce')`,
    );
  });

  it('refuses two handlers for one job and a handler for an undeclared job, listing every problem', () => {
    let error: JobHandlerRegistryError | undefined;
    try {
      resolveJobHandlers(
        [
          handler('mail', 'send', 'A'),
          handler('mail', 'send', 'B'),
          handler('mail', 'bounce'),
          handler('billing', 'rollup'),
          handler('billing', 'invoice', 'InvoiceHandler'),
        ],
        catalog,
      );
    } catch (err) {
      error = err as JobHandlerRegistryError;
    }
    expect(error?.problems).toEqual([
      'queue "mail" job "send" has 2 handlers (A, B); exactly one is allowed',
      'InvoiceHandler handles queue "billing" job "invoice", which the queue catalog (src/platform/queues/queue-catalog.ts) does not declare',
    ]);
  });

  it('stops the worker at start-up when a job of the real catalog has no handler', async () => {
    // Handles `reconcile` but not `sweep`, as if the sweep's module were not imported.
    @Injectable()
    @JobHandler('reconcile', 'reconcile')
    class OnlyReconcile {
      async process(): Promise<void> {}
    }
    @Module({ imports: [QueueWorkersModule], providers: [OnlyReconcile] })
    class IncompleteWorkerModule {}

    const config = testConfig(['worker'], { QUEUE_PREFIX: `test-registry-${process.pid}` });
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(config), IncompleteWorkerModule],
    }).compile();
    moduleRef.useLogger(moduleRef.get(Logger));
    try {
      await expect(moduleRef.init()).rejects.toThrow(
        'The worker cannot start; job handlers do not match the queue catalog:\n  - queue "reconcile" job "sweep" has no handler',
      );
    } finally {
      await moduleRef.close();
    }
  });
});
