import { describe, expect, it } from '@jest/globals';
import type { Benchmark } from '../../api/types.generated.js';
import type { Measurement } from '../../bench/measurement.js';
import type { RepeatResult, TargetOutcome } from '../../bench/plan.js';
import { aggregateResults } from './results.js';

const bench = (type: Benchmark['spec']['type'], names: string[], baseline?: string): Benchmark => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  metadata: { name: 'b', namespace: 'ns', uid: 'u1' },
  spec: {
    type,
    targets: names.map((name) => ({ name, kind: 'native' as const })),
    ...(baseline && { baseline }),
  },
});

const m = (throughput: number, extra: Partial<Measurement> = {}): Measurement => ({
  throughput,
  errors: 0,
  ...extra,
});
const ok = (target: string, throughput: number, extra: Partial<TargetOutcome> = {}): TargetOutcome => ({
  target,
  measurement: m(throughput),
  ...extra,
});
const fail = (target: string, reason: string, message = `${reason} happened`): TargetOutcome => ({
  target,
  failed: { reason, message },
});
const repeats = (...outcomes: TargetOutcome[][]): RepeatResult[] =>
  outcomes.map((o, i) => ({
    runId: 'r',
    repeat: i + 1,
    startTime: '2026-11-27T10:00:00Z',
    completionTime: '2026-11-27T10:01:00Z',
    outcomes: o,
  }));

describe('aggregateResults', () => {
  it('takes means over repeats, sums errors and response codes, keeps the warm-up', () => {
    const outcome = (throughput: number, errors: number, p99: number, warmup?: number): TargetOutcome => ({
      target: 'a',
      measurement: m(throughput, {
        errors,
        latencyAvgMs: p99 / 4,
        latencyP50Ms: p99 / 2,
        latencyP99Ms: p99,
        responseCodes: { NOERROR: throughput, ...(errors && { SERVFAIL: errors }) },
      }),
      ...(warmup !== undefined && { warmup: m(warmup) }),
    });
    const [result] = aggregateResults(
      bench('dns', ['a']),
      repeats([outcome(900, 1, 4, 812.345)], [outcome(1000, 0, 6)], [outcome(1100, 2, 8)]),
    );
    expect(result).toEqual({
      target: 'a',
      samples: 3,
      qps: 1000,
      latencyAvgMs: 1.5,
      latencyP50Ms: 3,
      latencyP99Ms: 6,
      relativeStdDev: 0.0816,
      errors: 3,
      responseCodes: { NOERROR: 3000, SERVFAIL: 3 },
      warmupThroughput: 812.3,
    });
  });

  it.each([
    ['dns', { qps: 1234.6 }],
    ['http', { rps: 1234.6 }],
    ['cpu', { score: 1234.57, scoreUnit: 'events/s' }],
    ['memory', { score: 1234.57, scoreUnit: 'MiB/s' }],
  ] as const)('%s reports %j', (type, want) => {
    const unit = type === 'memory' ? 'MiB/s' : 'events/s';
    const [result] = aggregateResults(
      bench(type, ['a']),
      repeats([{ target: 'a', measurement: m(1234.5678, { scoreUnit: unit }) }]),
    );
    expect(result).toEqual({ target: 'a', samples: 1, relativeStdDev: 0, errors: 0, ...want });
  });

  it('gives ratios to the baseline, the baseline itself 1', () => {
    const results = aggregateResults(
      bench('dns', ['native', 'vm', 'broken'], 'native'),
      repeats(
        [ok('native', 1000), ok('vm', 700), fail('broken', 'GuestNotReady')],
        [ok('native', 1000), ok('vm', 900), fail('broken', 'GuestNotReady')],
      ),
    );
    expect(results.map((r) => [r.target, r.ratioToBaseline])).toEqual([
      ['native', 1],
      ['vm', 0.8],
      ['broken', undefined],
    ]);
  });

  it.each([
    ['the baseline failed', 'native'],
    ['there is no baseline', undefined],
    ['the baseline names no target', 'other'],
  ])('gives no ratios when %s', (_, baseline) => {
    const results = aggregateResults(
      bench('http', ['native', 'vm'], baseline),
      repeats([baseline === 'native' ? fail('native', 'ToolFailed') : ok('native', 10), ok('vm', 5)]),
    );
    expect(results.every((r) => r.ratioToBaseline === undefined)).toBe(true);
  });

  it('marks a target failed in every repeat as failed, with the last reason', () => {
    const [result] = aggregateResults(
      bench('dns', ['a']),
      repeats([fail('a', 'GuestNotReady')], [fail('a', 'ToolFailed', 'dnsperf exited 1')]),
    );
    expect(result).toEqual({
      target: 'a',
      samples: 0,
      failed: true,
      reason: 'ToolFailed',
      message: 'dnsperf exited 1',
    });
  });

  it('marks a target without outcomes as not measured', () => {
    expect(aggregateResults(bench('dns', ['a']), repeats([]))[0]).toMatchObject({
      failed: true,
      reason: 'NotMeasured',
    });
  });

  it('measures a target failed in some repeats over the others, and says so', () => {
    const [result] = aggregateResults(
      bench('http', ['a']),
      repeats([ok('a', 100)], [fail('a', 'Timeout', 'wrk timed out')], [ok('a', 300)]),
    );
    expect(result).toMatchObject({
      target: 'a',
      samples: 2,
      rps: 200,
      relativeStdDev: 0.5,
      reason: 'Timeout',
      message: 'some repeats failed: wrk timed out',
    });
    expect(result?.failed).toBeUndefined();
  });

  it('cuts long failure messages to 1024 characters', () => {
    const [result] = aggregateResults(bench('dns', ['a']), repeats([fail('a', 'X', 'y'.repeat(5000))]));
    expect(result?.message).toHaveLength(1024);
  });
});
