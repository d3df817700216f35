import { randomBytes } from 'node:crypto';

/**
 * How a compile failed, for `meshplane_mesh_compile_failures_total{reason}` and the logs:
 *
 * - `encoder`: a resource could not be encoded (attributed to the resources behind it; the rest
 *   of the mesh is published, see view-encoding.ts);
 * - `inconsistent`: the consistency check found a translator defect (attributed to views);
 * - `translator`: the translator threw (nothing of that generation can be built);
 * - `internal`: anything else thrown while building the configuration (manifests, versions);
 * - `error`: the compile threw outside the pure phases (PostgreSQL, Redis): maybe transient.
 *
 * All but `encoder` and `inconsistent` leave the generation uncompiled; the reconciler retries it
 * with an exponential backoff (reconcile-backoff.ts).
 */
export type CompileFailureReason = 'encoder' | 'inconsistent' | 'translator' | 'internal' | 'error';

/** A failure of a pure phase of a compile (translate, build): deterministic for its input. */
export class CompilePhaseError extends Error {
  constructor(
    readonly phase: 'translator' | 'internal',
    cause: unknown,
  ) {
    super(`${phase} failed: ${describeError(cause)}`, { cause });
    this.name = 'CompilePhaseError';
  }
}

/** A short random reference that ties what a tenant sees to the worker's log line with the details. */
export function failureReference(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The reason a tenant sees for a failure nobody could attribute. It names the phase and a log
 * reference, never the exception's message or stack: those may hold internals (and, for a defect
 * in shared code, anything), so they stay in the worker's log.
 */
export function unattributedReason(phase: 'translator' | 'internal', generation: string, reference: string): string {
  const what = phase === 'translator' ? 'the translator failed' : 'building the configuration failed';
  return `internal error: generation ${generation} could not be compiled (${what}; operators: worker log reference ${reference}); the proxies keep the last good configuration, and it is retried with backoff`;
}

/** Longest encoder message kept in a problem. */
const MAX_MESSAGE = 200;

/**
 * An encoder's message as a tenant may see it: its first line, printable ASCII only, bounded. The
 * encoder only ever sees this mesh's resources, and its messages name proto types and fields
 * (`envoy.config.route.v3.RouteConfiguration has no field vhost_header`).
 */
export function encoderMessage(err: unknown): string {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  const printable = [...first].filter((c) => c >= ' ' && c <= '~').join('');
  return printable.length > MAX_MESSAGE ? `${printable.slice(0, MAX_MESSAGE)}…` : printable || 'unknown error';
}

/** An error for the worker's log: its name, message and stack (never shown to tenants). */
export function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}
