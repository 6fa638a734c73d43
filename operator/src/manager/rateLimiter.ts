/** How long to wait before retrying a key; client-go's ItemExponentialFailureRateLimiter combined with a bucket. */
export interface RateLimiter {
  /** Delay for the next retry of key, in ms; counts a failure. */
  when(key: string): number;
  forget(key: string): void;
  failures(key: string): number;
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Overall retry rate (tokens per second) and burst, shared by all keys. */
  qps: number;
  burst: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
  qps: 10,
  burst: 100,
};

/** Per-key exponential backoff (base * 2^failures, capped) combined with an overall token bucket: the longer wins. */
export class KeyedBackoff implements RateLimiter {
  private readonly failureCounts = new Map<string, number>();
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = options.burst;
    this.lastRefill = now();
  }

  when(key: string): number {
    const failures = this.failureCounts.get(key) ?? 0;
    this.failureCounts.set(key, failures + 1);
    const exponential = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** failures);
    return Math.max(exponential, this.bucketDelay());
  }

  forget(key: string): void {
    this.failureCounts.delete(key);
  }

  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  /** Takes a token, possibly one that only becomes available in the future; returns how long until then. */
  private bucketDelay(): number {
    const now = this.now();
    this.tokens = Math.min(
      this.options.burst,
      this.tokens + ((now - this.lastRefill) / 1000) * this.options.qps,
    );
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.options.qps) * 1000);
  }
}
