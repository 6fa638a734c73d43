/**
 * A fixed-bucket latency histogram: log-scale buckets from 1 µs to 60 s, each 5% wider than the one
 * before, so a percentile is off by at most ~2.5% (the middle of its bucket) and memory stays constant
 * however many samples come in. Count, mean, min and max are exact.
 */
const LOWEST_SECONDS = 1e-6;
const HIGHEST_SECONDS = 60;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(HIGHEST_SECONDS / LOWEST_SECONDS) / LOG_GROWTH) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sumSeconds = 0;
  private minSeconds = Infinity;
  private maxSeconds = 0;

  /** Records one latency; below 1 µs counts in the lowest bucket, above 60 s in the highest. */
  add(seconds: number): void {
    if (!(seconds >= 0) || seconds === Infinity) return;
    const bucket = bucketOf(seconds);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.total += 1;
    this.sumSeconds += seconds;
    if (seconds < this.minSeconds) this.minSeconds = seconds;
    if (seconds > this.maxSeconds) this.maxSeconds = seconds;
  }

  get count(): number {
    return this.total;
  }

  /** Mean latency in ms; undefined without samples. */
  get mean(): number | undefined {
    return this.total === 0 ? undefined : (this.sumSeconds / this.total) * 1000;
  }

  /** The p-th percentile (0–100, nearest rank) in ms; undefined without samples. */
  percentile(p: number): number | undefined {
    if (this.total === 0) return undefined;
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, not ${p}`);
    if (p === 0) return this.minSeconds * 1000;
    if (p === 100) return this.maxSeconds * 1000;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    let bucket = 0;
    for (; bucket < BUCKETS - 1; bucket++) {
      seen += this.counts[bucket] ?? 0;
      if (seen >= rank) break;
    }
    const middle = LOWEST_SECONDS * GROWTH ** (bucket + 0.5);
    return Math.min(this.maxSeconds, Math.max(this.minSeconds, middle)) * 1000;
  }
}

function bucketOf(seconds: number): number {
  if (seconds <= LOWEST_SECONDS) return 0;
  const bucket = Math.floor(Math.log(seconds / LOWEST_SECONDS) / LOG_GROWTH);
  return bucket < BUCKETS ? bucket : BUCKETS - 1;
}
