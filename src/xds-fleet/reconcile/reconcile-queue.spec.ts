import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/support/test-config.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { PlatformModule } from '../../platform/platform.module.js';
import { JOB_HANDLER_METADATA } from '../../platform/queues/job-handler.js';
import { declaredJobs } from '../../platform/queues/queue-catalog.js';
import { QueueRegistry } from '../../platform/queues/queue-registry.service.js';
import type { CompileOutcome } from '../compiler/compile-outcome.js';
import { CompilerModule } from '../compiler/compiler.module.js';
import { MeshCompiler } from '../compiler/mesh-compiler.js';
import { ReconcileQueue } from './reconcile-queue.js';
import { ReconcileWorkerModule } from './reconcile.module.js';

/**
 * The queue mechanics, on real Redis with the real worker module; only the compiler is a test
 * double (it records when each mesh was compiled), so these tests need no meshes in PostgreSQL.
 */
class FakeCompiler {
  readonly calls: { tenantId: string; meshId: string; at: number }[] = [];
  /** Per mesh: how long a compile takes, and how many compiles fail first. */
  readonly slow = new Map<string, number>();
  readonly failFirst = new Map<string, number>();

  async compile(tenantId: string, meshId: string): Promise<CompileOutcome> {
    this.calls.push({ tenantId, meshId, at: Date.now() });
    const ms = this.slow.get(meshId);
    if (ms !== undefined) await sleep(ms);
    const failures = this.failFirst.get(meshId) ?? 0;
    if (failures > 0) {
      this.failFirst.set(meshId, failures - 1);
      throw new Error('compile failed (test)');
    }
    return { status: 'unchanged', generation: '1', version: 'v1', durationMs: ms ?? 0 };
  }

  of(meshId: string): number[] {
    return this.calls.filter((c) => c.meshId === meshId).map((c) => c.at);
  }
}

/**
 * The worker refuses to start unless every job of the queue catalog has a handler. This spec runs
 * the reconcile worker (which brings the endpoints queue's handlers) and nothing else: the other
 * queues' jobs (billing, metering, EC2 sync) get handlers that do nothing, so their schedules,
 * should they fire in this spec's own QUEUE_PREFIX, never touch the shared test database.
 */
function idleHandlersExcept(queues: readonly string[]) {
  return declaredJobs()
    .filter((d) => !queues.includes(d.queue))
    .map(({ queue, job }) => {
      class IdleHandler {
        async process(): Promise<void> {}
      }
      Object.defineProperty(IdleHandler, 'name', { value: `Idle(${queue}/${job})` });
      (JOB_HANDLER_METADATA({ queue, job }) as ClassDecorator)(IdleHandler);
      return IdleHandler;
    });
}

const DEBOUNCE_MS = 100;
const MAX_DELAY_MS = 600;

describe('reconcile queue', () => {
  const compiler = new FakeCompiler();
  let moduleRef: TestingModule;
  let reconcile: ReconcileQueue;
  const tenantId = randomUUID();

  @Module({ providers: [{ provide: MeshCompiler, useValue: compiler }], exports: [MeshCompiler] })
  class FakeCompilerModule {}

  beforeAll(async () => {
    const config = testConfig(['worker'], {
      QUEUE_PREFIX: `test-reconcile-${randomBytes(4).toString('hex')}`,
      RECONCILE_DEBOUNCE_MS: String(DEBOUNCE_MS),
      RECONCILE_MAX_DELAY_MS: String(MAX_DELAY_MS),
      RECONCILE_ATTEMPTS: '3',
      RECONCILE_FAILURE_BACKOFF_MS: '250',
      RECONCILE_CONCURRENCY: '8',
      // The sweep reads the shared test database; these tests use mesh ids it cannot contain.
      RECONCILE_SWEEP_INTERVAL_MS: '3600000',
    });
    moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(config), ReconcileWorkerModule],
      providers: idleHandlersExcept(['reconcile', 'endpoints']),
    })
      .overrideModule(CompilerModule)
      .useModule(FakeCompilerModule)
      .compile();
    moduleRef.useLogger(moduleRef.get(Logger));
    await moduleRef.init();
    reconcile = moduleRef.get(ReconcileQueue);
  });
  afterAll(async () => {
    if (!moduleRef) return;
    await moduleRef.get(QueueRegistry).queue('reconcile').obliterate({ force: true });
    await moduleRef.close();
  });

  async function until(check: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(20);
    }
  }

  it('compiles a change to a quiet mesh at once, and debounces the changes that follow it', async () => {
    // What is asserted is the schedule each change gets (its delay), plus lower bounds on waits:
    // upper bounds on wall-clock time would only measure how loaded the machine is.
    const mesh = randomUUID();
    // Leading edge: no debounce for a single change.
    expect(await reconcile.enqueue(tenantId, mesh)).toBe(0);
    await until(() => compiler.of(mesh).length === 1);

    // A change within the debounce of that compile's start waits for the debounce; one later (a
    // slow test machine may notice the compile late) compiles at once. The compile started just
    // before it was recorded, so the margin keeps each case certain.
    const second = Date.now();
    const sinceStart = second - compiler.of(mesh)[0]!;
    const delay = await reconcile.enqueue(tenantId, mesh);
    await until(() => compiler.of(mesh).length === 2);
    const waited = compiler.of(mesh)[1]! - second;
    if (sinceStart < DEBOUNCE_MS - 10) {
      expect(delay).toBeGreaterThan(0);
      expect(waited).toBeGreaterThanOrEqual(DEBOUNCE_MS - 5);
    } else if (sinceStart > DEBOUNCE_MS) expect(delay).toBe(0);

    // Once the mesh has been quiet for the debounce, the next change compiles at once again.
    await sleep(2 * DEBOUNCE_MS);
    expect(await reconcile.enqueue(tenantId, mesh)).toBe(0);
    await until(() => compiler.of(mesh).length === 3);
  });

  it('coalesces a burst of changes to one mesh: the first compiles at once, the rest once after the burst', async () => {
    const mesh = randomUUID();
    compiler.slow.set(mesh, 50);
    const burst = Array.from({ length: 50 }, () => reconcile.enqueue(tenantId, mesh));
    await Promise.all(burst);
    const lastEnqueued = Date.now();
    const pending = await moduleRef.get(QueueRegistry).queue('reconcile').getJobs(['delayed', 'waiting', 'active']);
    expect(pending.filter((j) => j.data.meshId === mesh).length).toBeLessThanOrEqual(2);

    await until(() => compiler.of(mesh).some((at) => at >= lastEnqueued));
    await sleep(3 * DEBOUNCE_MS);
    // At most the leading compile (which may have read the mesh before later changes) and one
    // that covers the whole burst, started after it.
    const runs = compiler.of(mesh);
    expect(runs.length).toBeLessThanOrEqual(2);
    expect(runs.at(-1)!).toBeGreaterThanOrEqual(lastEnqueued);
    expect(compiler.calls.find((c) => c.meshId === mesh)?.tenantId).toBe(tenantId);
  });

  it('still compiles at least every max delay while changes keep coming faster than the debounce', async () => {
    const mesh = randomUUID();
    const started = Date.now();
    const delays: number[] = [];
    while (Date.now() - started < 2_000) {
      delays.push(await reconcile.enqueue(tenantId, mesh));
      await sleep(DEBOUNCE_MS / 3);
    }
    const stopped = Date.now();
    await until(() => compiler.of(mesh).some((at) => at >= stopped));
    const during = compiler.of(mesh).filter((at) => at < stopped);
    // Without the bound none would run before the stream stops; with it, about one per max delay.
    expect(during.length).toBeGreaterThanOrEqual(2);
    // No change is ever scheduled past its window's end (the schedule, not the machine's speed).
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(MAX_DELAY_MS);
    // And not more often: the leading compile, then one per window, none twice at a window's end.
    expect(during.length).toBeLessThanOrEqual(Math.floor(2_000 / MAX_DELAY_MS) + 2);
  });

  it('does not coalesce different meshes', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all([a, b, c].map((m) => reconcile.enqueue(tenantId, m)));
    await until(() => [a, b, c].every((m) => compiler.of(m).length === 1));
    await sleep(3 * DEBOUNCE_MS);
    expect([a, b, c].map((m) => compiler.of(m).length)).toEqual([1, 1, 1]);
  });

  it('compiles once more after a running compile when the mesh changed meanwhile', async () => {
    const mesh = randomUUID();
    compiler.slow.set(mesh, 400);
    await reconcile.enqueue(tenantId, mesh);
    await until(() => compiler.of(mesh).length === 1);
    // While it compiles (it may have read the state before these changes):
    for (let i = 0; i < 5; i++) await reconcile.enqueue(tenantId, mesh);
    await until(() => compiler.of(mesh).length === 2);
    expect(compiler.of(mesh)[1]! - compiler.of(mesh)[0]!).toBeGreaterThanOrEqual(400);
    await sleep(400 + 3 * DEBOUNCE_MS);
    expect(compiler.of(mesh)).toHaveLength(2);
  });

  it('retries a failed compile after a doubling backoff, as a new job: no failed job, no BullMQ retry', async () => {
    const mesh = randomUUID();
    compiler.failFirst.set(mesh, 2);
    await reconcile.enqueue(tenantId, mesh);
    await until(() => compiler.of(mesh).length === 3);
    const [first, second, third] = compiler.of(mesh) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(240); // 250 ms, then 500 ms
    expect(third - second).toBeGreaterThanOrEqual(490);

    const queue = moduleRef.get(QueueRegistry).queue('reconcile');
    const failed = await queue.getJobs(['failed']);
    expect(failed.filter((j) => j.data?.meshId === mesh)).toEqual([]);
    // The compile that succeeded cleared the mesh's backoff record.
    const registry = moduleRef.get(QueueRegistry);
    const record = `${registry.prefix}:reconcile:failing:${mesh}`;
    for (let i = 0; i < 100 && (await registry.connection.exists(record)) === 1; i++) await sleep(20);
    expect(await registry.connection.exists(record)).toBe(0);

    const metrics = await moduleRef.get(MetricsService).registry.metrics();
    expect(metrics).not.toMatch(
      /meshplane_queue_job_failures_total\{queue="reconcile",job="reconcile",final="true"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /meshplane_queue_job_duration_seconds_count\{queue="reconcile",job="reconcile",outcome="completed"\} \d+/,
    );
    expect(metrics).toMatch(/meshplane_queue_depth\{queue="reconcile"\} \d+/);
  });
});
