import type { TranslationProblem } from '../translator/translation-problem.js';

/**
 * What compiles found wrong with a mesh's configuration, as stored in Redis next to the compiled
 * mesh (see CompiledStore) and read by the api role: the `/v1` mesh status and the `meshplaneStatus`
 * member of the App Mesh Describe operations. See docs/adr/0006-translation-errors.md.
 *
 * Three records per mesh:
 *
 * - **served** (hash, ARN → entry): every resource of the last *published* compile (or the last
 *   compile found identical to it), with the problems it had then. It decides which new problems
 *   are regressions, and gives `/v1` status its `problems`. Written atomically with the publish.
 * - **translation** (hash, ARN → entry, plus {@link SUMMARY_FIELD}): every resource of the *latest*
 *   compile, published or rejected, with its state. A Describe reads two fields of it.
 * - **rejected** (string): the latest compile's {@link CompileRejection}, until a compile publishes.
 */

/** A problem of a compile that was not published, and whether it is what stopped it. */
export interface FlaggedProblem extends TranslationProblem {
  /** On a resource the proxies are served without a problem: publishing would take it away from them. */
  readonly regression: boolean;
}

/** A compile that was not published: the fleet keeps serving the last good one. */
export interface CompileRejection {
  /** The mesh generation that was compiled (decimal string). */
  readonly generation: string;
  /** When it was rejected (ISO 8601). */
  readonly at: string;
  readonly reason: string;
  /** Every problem of that compile; those that stopped it are flagged `regression`. */
  readonly problems: readonly FlaggedProblem[];
}

/**
 * What the latest compile made of one resource: `OK`; `DEGRADED` (it has a problem and the part
 * the problem affects is left out of what proxies are served); `REJECTED` (its problem stopped
 * the compile from being published, so proxies keep the last good configuration).
 */
export type TranslationState = 'OK' | 'DEGRADED' | 'REJECTED';

/** One resource in the translation hash. Short keys: a mesh has up to a few thousand of these. */
export interface TranslationEntry {
  /** The resource's API version the compile read (`metadata.version`). */
  readonly v?: number;
  /** State, when not OK. */
  readonly s?: Exclude<TranslationState, 'OK'>;
  /** Reason (the problems' messages), when not OK. */
  readonly r?: string;
}

/** The field of the translation hash that describes the compile itself (never an ARN). */
export const SUMMARY_FIELD = '@';

export type CompileVerdict = 'published' | 'unchanged' | 'rejected' | 'inconsistent';

export interface TranslationSummary {
  readonly generation: string;
  readonly verdict: CompileVerdict;
}

/** Entry of the served hash: `''` when the resource was served without a problem, else its problems' messages (JSON). */
export function servedEntry(messages: readonly string[]): string {
  return messages.length === 0 ? '' : JSON.stringify(messages);
}

export function parseServedEntry(value: string): string[] {
  return value === '' ? [] : (JSON.parse(value) as string[]);
}

export function parseJson<T>(value: string | null | undefined): T | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}
