import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A batch function whose batches are held until the test releases them, recording each batch's keys. */
function heldLoader() {
  const commit = new GroupCommit();
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const loader = new DataLoader<number, number>(
    (keys) =>
      commit.track(
        new Promise<number[]>((resolve) => {
          batches.push([...keys]);
          releases.push(() => resolve(keys.map((k) => k * 10)));
        }),
      ),
    { cache: false, batchScheduleFn: commit.schedule },
  );
  return { loader, batches, releases };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('sends what arrived while a batch was in flight as one next batch, and answers each caller', async () => {
    const { loader, batches, releases } = heldLoader();
    const first = loader.load(1);
    await turn();
    await turn();
    expect(batches).toEqual([[1]]);
    // Arrive in separate turns while the first batch is held: none goes out on its own.
    const later = [loader.load(2)];
    await turn();
    later.push(loader.load(3));
    await turn();
    later.push(loader.load(4));
    await turn();
    expect(batches).toEqual([[1]]);
    releases[0]!();
    expect(await first).toBe(10);
    await turn();
    await turn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    releases[1]!();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('goes on after a batch that failed', async () => {
    const commit = new GroupCommit();
    let calls = 0;
    const loader = new DataLoader<number, number>(
      (keys) =>
        commit.track(++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(keys.map((k) => k + 1))),
      { cache: false, batchScheduleFn: commit.schedule },
    );
    await expect(loader.load(1)).rejects.toThrow('down');
    expect(await loader.load(2)).toBe(3);
  });
});
