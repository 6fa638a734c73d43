import type { Logger } from 'pino';
import type { OperatorMetrics } from './metrics.js';
import { WorkQueue } from './workQueue.js';
import { KeyedBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './rateLimiter.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many ms (periodic checks); failures are thrown instead. */
  requeueAfterMs?: number;
}

/** Brings the world in line with the object named by key ("namespace/name"). Throw to retry with backoff. */
export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>;

export interface ControllerOptions {
  concurrency?: number;
  backoff?: BackoffOptions;
}

/** A named reconciler fed by a work queue, with `concurrency` workers that never share a key. */
export class Controller {
  readonly queue: WorkQueue;
  private readonly concurrency: number;
  private workers: Promise<void>[] = [];

  constructor(
    readonly name: string,
    private readonly reconcile: Reconciler,
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
    options: ControllerOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.queue = new WorkQueue(
      new KeyedBackoff(options.backoff ?? DEFAULT_BACKOFF),
      metrics.queueObserver(name),
    );
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    this.metrics.maxConcurrentReconciles.set({ controller: this.name }, this.concurrency);
    this.workers = Array.from({ length: this.concurrency }, () => this.work());
  }

  /** Stops taking keys and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      const started = performance.now();
      const labels = { controller: this.name };
      this.metrics.activeWorkers.inc(labels);
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) {
          this.queue.addAfter(key, result.requeueAfterMs);
          this.metrics.reconcileTotal.inc({ ...labels, result: 'requeue_after' });
        } else {
          this.metrics.reconcileTotal.inc({ ...labels, result: 'success' });
        }
      } catch (error) {
        this.metrics.reconcileTotal.inc({ ...labels, result: 'error' });
        this.metrics.reconcileErrors.inc(labels);
        const retryIn = this.queue.rateLimiter.failures(key);
        this.log.warn({ err: error, controller: this.name, key, failures: retryIn + 1 }, 'reconcile failed');
        this.queue.addRateLimited(key);
      } finally {
        const seconds = (performance.now() - started) / 1000;
        this.metrics.reconcileTime.observe(labels, seconds);
        this.metrics.activeWorkers.dec(labels);
        this.queue.done(key, seconds);
      }
    }
  }
}
