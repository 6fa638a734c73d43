import { WorkQueue } from './workQueue.js';
import { KeyedBackoff } from './rateLimiter.js';

const noBackoff = () => new KeyedBackoff({ baseDelayMs: 5, maxDelayMs: 20, qps: 1000, burst: 1000 });

describe('WorkQueue', () => {
  it('collapses duplicate adds while a key waits, keeping first-in order', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands out a key that is being processed; an add meanwhile re-queues it after done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(0);
    queue.done(first as string);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('a');
  });

  it('wakes a waiting worker on add', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('x');
    expect(await waiting).toBe('x');
  });

  it('keeps the earliest of several delayed adds', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 10_000);
    queue.addAfter('a', 10);
    queue.addAfter('a', 5_000);
    const started = Date.now();
    expect(await queue.get()).toBe('a');
    expect(Date.now() - started).toBeLessThan(1000);
    queue.shutDown();
  });

  it('backs off a failing key and forgets the failures on success', async () => {
    const queue = new WorkQueue(noBackoff());
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.rateLimiter.failures('a')).toBe(2);
    expect(await queue.get()).toBe('a');
    queue.forget('a');
    expect(queue.rateLimiter.failures('a')).toBe(0);
  });

  it('releases waiting workers with undefined on shutdown and ignores later adds', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('late');
    expect(queue.length).toBe(0);
  });

  it('reports adds, depth and queue time to its observer', async () => {
    const seen = { added: 0, retried: 0, depth: [] as number[], waited: 0 };
    let now = 0;
    const queue = new WorkQueue(
      noBackoff(),
      {
        added: () => seen.added++,
        retried: () => seen.retried++,
        depth: (depth) => seen.depth.push(depth),
        waited: (seconds) => (seen.waited += seconds),
        worked: () => {},
      },
      () => now,
    );
    queue.add('a');
    queue.add('b');
    now = 1500;
    await queue.get();
    expect(seen.added).toBe(2);
    expect(seen.depth).toEqual([1, 2, 1]);
    expect(seen.waited).toBeCloseTo(1.5);
  });
});
