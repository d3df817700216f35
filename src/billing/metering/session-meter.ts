import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { SessionObserver, SessionRecord } from '../../xds-fleet/sessions/session-registry.js';
import { sessionMeterOf } from './meters.js';
import { MeteringClock } from './metering-clock.js';
import { SessionLedgerRepository, type SessionStart, type ShardRun } from './session-ledger.repository.js';

/** Above this many unwritten starts and ends (PostgreSQL away for long), a warning says metering is behind. */
const BACKLOG_WARNING = 100_000;

/**
 * The xds role's meter: told by the session registry when a session is admitted and removed, it
 * records starts and ends in memory (no I/O on the stream's path) and writes them in one
 * transaction per METERING_FLUSH_INTERVAL_MS, with this shard run's heartbeat. The heartbeat is
 * written every METERING_HEARTBEAT_MS even when nothing else changed: if the process dies, its
 * sessions still open end at that last heartbeat (the rollup closes them there).
 *
 * A failed write is retried with the next flush (starts and ends stay in memory); what is lost
 * with a SIGKILL is at most one flush interval of starts and ends, and the time after the last
 * heartbeat. Never throws into the registry: metering must not decide whether a proxy is served.
 */
@Injectable()
export class SessionMeter implements SessionObserver, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SessionMeter.name);
  private readonly run: ShardRun;
  private starts = new Map<string, SessionStart>();
  private ends = new Map<string, number>();
  private lastBeat = Number.NEGATIVE_INFINITY;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ledger: SessionLedgerRepository,
    private readonly clock: MeteringClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.run = {
      id: randomUUID(),
      shard: config.xdsShardId ?? `${hostname()}-${process.pid}`,
      startedAt: clock.now(),
    };
  }

  /** This process's run id (metering_shard_runs.id). */
  get runId(): string {
    return this.run.id;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.meteringFlushIntervalMs);
    this.timer.unref();
  }

  /** Last writes after the streams closed (their ends are recorded), with a heartbeat of now. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
  }

  admitted(records: readonly SessionRecord[]): Promise<void> {
    const connectedAt = this.clock.now();
    for (const record of records) {
      this.starts.set(record.sessionId, {
        id: record.sessionId,
        tenantId: record.tenantId,
        meter: sessionMeterOf(record.userAgent),
        meshName: record.meshName,
        kind: record.kind,
        name: record.name,
        connectedAt,
      });
    }
    return Promise.resolve();
  }

  removed(records: readonly SessionRecord[]): Promise<void> {
    const now = this.clock.now();
    for (const record of records) {
      const start = this.starts.get(record.sessionId);
      if (start) start.closedAt = now;
      else this.ends.set(record.sessionId, now);
    }
    return Promise.resolve();
  }

  /** The registry's per-session heartbeat is not needed: the run's heartbeat covers all its sessions. */
  heartbeat(): Promise<void> {
    return Promise.resolve();
  }

  /** Writes what is pending (one flush at a time); `beat` forces the heartbeat. */
  async flush(beat = false): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.write(beat).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async write(beat: boolean): Promise<void> {
    const now = this.clock.now();
    const due = beat || now - this.lastBeat >= this.config.meteringHeartbeatMs || now < this.lastBeat;
    if (this.starts.size === 0 && this.ends.size === 0 && !due) return;
    const starts = this.starts;
    const ends = this.ends;
    this.starts = new Map();
    this.ends = new Map();
    try {
      await this.ledger.writeAcrossAllTenants(this.run, [...starts.values()], ends, now);
      this.lastBeat = now;
    } catch (err) {
      // Put them back under what arrived meanwhile: an end recorded since belongs to a start here.
      for (const [id, start] of starts) {
        const ended = this.ends.get(id);
        if (ended !== undefined) {
          start.closedAt = ended;
          this.ends.delete(id);
        }
        this.starts.set(id, start);
      }
      for (const [id, at] of ends) if (!this.ends.has(id)) this.ends.set(id, at);
      const backlog = this.starts.size + this.ends.size;
      const message = `writing session metering (${backlog} pending): ${err instanceof Error ? err.message : String(err)}`;
      if (backlog > BACKLOG_WARNING) this.log.error(message);
      else this.log.warn(message);
    }
  }
}
