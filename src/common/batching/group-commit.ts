/**
 * Batch scheduling for DataLoaders that write or read on behalf of many concurrent callers (the
 * streams of a fleet connecting to an xDS shard): at most one batch is in flight, and the next one
 * is dispatched when it settles, after the I/O callbacks of that turn (`setImmediate`). Callers
 * that arrive while a batch is in PostgreSQL or Redis all go in the next one, so batches grow with
 * the load (arrival rate × round trip) while a lone caller waits no longer than one turn.
 *
 * Use: `new DataLoader(batchFn, { cache: false, batchScheduleFn: commit.schedule })`, with the
 * batch function's work wrapped in `commit.track(...)`.
 */
export class GroupCommit {
  private inFlight: Promise<void> = Promise.resolve();

  readonly schedule = (dispatch: () => void): void => {
    void this.inFlight.then(() => setImmediate(dispatch));
  };

  /** Marks `batch` as the one in flight; the next batch waits until it settles, however it settles. */
  track<T>(batch: Promise<T>): Promise<T> {
    const settled = batch.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight = settled;
    return batch;
  }
}
