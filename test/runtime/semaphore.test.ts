/** The semaphore that bounds a run tree's model calls in flight: order, aborts, and its abort listeners. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/runtime/budget.js';

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('grants waiters in the order they came, one per release', async () => {
    const s = new Semaphore(2);
    await s.acquire();
    await s.acquire();
    const granted: number[] = [];
    const waits = [0, 1, 2].map((i) => s.acquire().then(() => granted.push(i)));
    await settle();
    expect(granted).toEqual([]);
    expect(s.inFlight).toBe(2);
    s.release();
    await settle();
    expect(granted).toEqual([0]);
    s.release();
    s.release();
    await Promise.all(waits);
    expect(granted).toEqual([0, 1, 2]);
    expect(s.inFlight).toBe(2);
  });

  it('adds one abort listener per signal however many wait on it, and removes it when the last is granted', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const controller = new AbortController();
    const waits = Array.from({ length: 100 }, () => s.acquire(controller.signal));
    await settle();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (let i = 0; i < 100; i++) s.release();
    await Promise.all(waits);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(s.inFlight).toBe(1);
  });

  it('an abort rejects the waiters of that signal with its reason and leaves the others waiting in order', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const a = new AbortController();
    const b = new AbortController();
    const outcome: string[] = [];
    const track = (name: string, p: Promise<void>): Promise<void> =>
      p.then(
        () => void outcome.push(`${name} granted`),
        (err: Error) => void outcome.push(`${name} rejected: ${err.message}`),
      );
    const waits = [track('a1', s.acquire(a.signal)), track('b1', s.acquire(b.signal)), track('a2', s.acquire(a.signal)), track('b2', s.acquire(b.signal))];
    a.abort(new Error('run cancelled'));
    await settle();
    expect(outcome).toEqual(['a1 rejected: run cancelled', 'a2 rejected: run cancelled']);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
    s.release();
    s.release();
    await Promise.all(waits);
    expect(outcome.slice(2)).toEqual(['b1 granted', 'b2 granted']);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
  });

  it('a signal already aborted is refused when it would wait, with a plain error for a reason that is not one', async () => {
    const s = new Semaphore(1);
    const c = new AbortController();
    c.abort('stop');
    await s.acquire(c.signal); // free: granted, as before
    await expect(s.acquire(c.signal)).rejects.toThrow('aborted');
    expect(s.inFlight).toBe(1);
  });
});
