import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

describe('a subscription event queue', () => {
  it('hands events over in order, to a reader waiting or not', async () => {
    const queue = new EventQueue<number>(10, () => undefined);
    queue.push(1);
    const waiting = [queue.next(), queue.next()];
    queue.push(2);
    expect(await Promise.all(waiting)).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
    ]);
  });

  it('drops the oldest events for a reader that falls behind', async () => {
    const queue = new EventQueue<number>(2, () => undefined);
    for (const n of [1, 2, 3]) queue.push(n);
    queue.end();
    const read: number[] = [];
    for await (const n of queue) read.push(n);
    expect(read).toEqual([2, 3]);
  });

  it('ends with an error after what is queued, and closes once', async () => {
    let closed = 0;
    const queue = new EventQueue<number>(10, () => closed++);
    queue.push(1);
    queue.end(new Error('mesh deleted'));
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await expect(queue.next()).rejects.toThrow('mesh deleted');
    await queue.return();
    expect(closed).toBe(1);
  });

  it('closes when the client stops, and takes nothing after', async () => {
    let closed = 0;
    const queue = new EventQueue<number>(10, () => closed++);
    const pending = queue.next();
    await queue.return();
    queue.push(1);
    expect(closed).toBe(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    // A reader that was waiting is let go too.
    expect(await Promise.race([pending, Promise.resolve('still waiting')])).toEqual({ value: undefined, done: true });
  });
});
