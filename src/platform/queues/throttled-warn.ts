import type { Logger } from '@nestjs/common';

/**
 * Logs a warning per source at most once per `windowMs` while its message stays the same: a Redis
 * outage makes BullMQ repeat one connection error on every reconnection attempt.
 */
export function throttledWarn(log: Logger, windowMs = 30_000): (source: string, err: Error) => void {
  const last = new Map<string, { message: string; at: number }>();
  return (source, err) => {
    const now = Date.now();
    const seen = last.get(source);
    if (seen && seen.message === err.message && now - seen.at < windowMs) return;
    last.set(source, { message: err.message, at: now });
    log.warn(`${source}: ${err.message}`);
  };
}
