import { KeyedBackoff, type RateLimiter } from './rateLimiter.js';

/** What the queue reports; implemented with Prometheus metrics in production and plain counters in tests. */
export interface QueueObserver {
  added(): void;
  retried(): void;
  depth(depth: number): void;
  waited(seconds: number): void;
  worked(seconds: number): void;
}

const silentObserver: QueueObserver = { added() {}, retried() {}, depth() {}, waited() {}, worked() {} };

/**
 * A keyed work queue with client-go's guarantees: a key queued twice is queued once,
 * a key is never handed to two workers at once (an add while it is processed
 * re-queues it after), delayed adds keep the earliest time, failures back off per key.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    readonly rateLimiter: RateLimiter = new KeyedBackoff(),
    private readonly observer: QueueObserver = silentObserver,
    private readonly now: () => number = Date.now,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  /** Keys waiting, being processed or scheduled for later. */
  get pending(): number {
    return new Set([...this.dirty, ...this.processing, ...this.delayed.keys()]).size;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.observer.added();
    this.dirty.add(key);
    this.enqueuedAt.set(key, this.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.delayed.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    this.observer.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** The next key to work on, or undefined once the queue shuts down. Pair with done(). */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string, workSeconds?: number): void {
    this.processing.delete(key);
    if (workSeconds !== undefined) this.observer.worked(workSeconds);
    if (this.dirty.has(key)) this.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(key));
    else {
      this.queue.push(key);
      this.observer.depth(this.queue.length);
    }
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    const since = this.enqueuedAt.get(key);
    this.enqueuedAt.delete(key);
    if (since !== undefined) this.observer.waited((this.now() - since) / 1000);
    this.observer.depth(this.queue.length);
    return key;
  }
}
