import { describe, expect, it } from '@jest/globals';
import { LatencyHistogram } from './latencyHistogram.js';

describe('LatencyHistogram', () => {
  it('has no statistics before the first sample', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.mean).toBeUndefined();
    expect(histogram.percentile(50)).toBeUndefined();
  });

  it('keeps count and mean exact, and percentiles within 2.5%', () => {
    const histogram = new LatencyHistogram();
    // 1 ms … 1000 ms in 1 ms steps: p50 = 500 ms, p99 = 990 ms (nearest rank).
    for (let ms = 1; ms <= 1000; ms++) histogram.add(ms / 1000);
    expect(histogram.count).toBe(1000);
    expect(histogram.mean).toBeCloseTo(500.5, 6);
    expect(Math.abs((histogram.percentile(50) ?? NaN) / 500 - 1)).toBeLessThan(0.025);
    expect(Math.abs((histogram.percentile(99) ?? NaN) / 990 - 1)).toBeLessThan(0.025);
    expect(histogram.percentile(0)).toBeCloseTo(1, 9);
    expect(histogram.percentile(100)).toBeCloseTo(1000, 9);
  });

  it('never reports a percentile outside the samples seen', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 10; i++) histogram.add(0.000212);
    expect(histogram.percentile(50)).toBeCloseTo(0.212, 9);
    expect(histogram.percentile(99)).toBeCloseTo(0.212, 9);
  });

  it('is ordered: p50 <= p90 <= p99 on a skewed distribution', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 990; i++) histogram.add(0.0001 + i * 1e-7);
    for (let i = 0; i < 10; i++) histogram.add(0.05);
    const [p50, p90, p99] = [50, 90, 99].map((p) => histogram.percentile(p) ?? NaN);
    expect(p50).toBeLessThanOrEqual(p90 ?? NaN);
    expect(p90).toBeLessThanOrEqual(p99 ?? NaN);
    expect(p99).toBeLessThan(0.25);
    expect(Math.abs((histogram.percentile(99.95) ?? NaN) / 50 - 1)).toBeLessThan(0.025);
  });

  it('clamps samples outside 1 µs … 60 s into the end buckets and ignores non-numbers', () => {
    const histogram = new LatencyHistogram();
    histogram.add(0);
    histogram.add(1e-9);
    histogram.add(120);
    histogram.add(NaN);
    histogram.add(-1);
    histogram.add(Infinity);
    expect(histogram.count).toBe(3);
    expect(histogram.percentile(50)).toBeLessThan(0.0011);
    expect(histogram.percentile(100)).toBe(120_000);
    expect(histogram.percentile(99)).toBeGreaterThan(55_000);
  });

  it('rejects a percentile outside 0–100', () => {
    const histogram = new LatencyHistogram();
    histogram.add(0.001);
    expect(() => histogram.percentile(101)).toThrow(RangeError);
    expect(() => histogram.percentile(-1)).toThrow(RangeError);
  });
});
