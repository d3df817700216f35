/**
 * What one compile of one mesh did. The reconciler records it (metrics, logs) and never needs
 * more: a compile is idempotent, so a retry after any failure simply compiles the latest state.
 */
export type CompileOutcome =
  /**
   * A new compiled snapshot was stored and announced to the xDS shards (`published`), or its
   * content equals what is (`unchanged`: only the compiled generation moved). `encoderFailures`:
   * resources that could not be encoded (kept at their last good version or left out); the
   * reconciler compiles such a mesh again with backoff, so a fixed encoder converges it.
   */
  | {
      readonly status: 'published' | 'unchanged';
      readonly generation: string;
      readonly version: string;
      readonly durationMs: number;
      readonly encoderFailures?: number;
    }
  /** A newer generation was already published by a concurrent compile; nothing was written. */
  | { readonly status: 'superseded'; readonly generation: string; readonly durationMs: number }
  /** The mesh no longer exists; its compiled snapshot was removed. */
  | { readonly status: 'deleted'; readonly durationMs: number }
  /**
   * Not published: the translation has a problem on a resource the proxies are served without one
   * (`rejected`), or is internally inconsistent, a translator defect (`inconsistent`). The proxies
   * keep the last good configuration; the rejection is recorded for the APIs and the compiled
   * generation moves on (a retry would translate the same snapshot the same way).
   */
  | {
      readonly status: 'rejected' | 'inconsistent';
      readonly generation: string;
      readonly reason: string;
      readonly durationMs: number;
    }
  /**
   * Not published and not attributable: the translator threw (`cause: 'translator'`), or building
   * the configuration did (`internal`). Recorded for the APIs like a rejection, but the generation
   * is not marked compiled: the reconciler retries it with backoff (the fault may be fixed by a
   * deploy), and a new change compiles at once.
   */
  | {
      readonly status: 'failed';
      readonly cause: 'translator' | 'internal';
      readonly generation: string;
      readonly reason: string;
      readonly durationMs: number;
    };
