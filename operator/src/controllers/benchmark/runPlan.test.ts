import { describe, expect, it } from '@jest/globals';
import type { Benchmark } from '../../api/types.generated.js';
import type { PlannedTarget } from '../../bench/plan.js';
import { durationSeconds, runPlanFor } from './runPlan.js';

const bench = (spec: Partial<Benchmark['spec']> = {}): Benchmark => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  metadata: { name: 'dns', namespace: 'ns', uid: 'u1' },
  spec: { type: 'dns', targets: [{ name: 'n', kind: 'native' }], ...spec },
});
const targets: PlannedTarget[] = [{ name: 'n', kind: 'native' }];
const RUN = '20261127-140512';

describe('durationSeconds', () => {
  it.each([
    ['30s', 30],
    ['1m30s', 90],
    ['1h', 3600],
    ['1h2m3s', 3723],
    ['500ms', 0.5],
    ['2m', 120],
    [undefined, 30],
  ])('%s is %d s', (duration, want) => {
    expect(durationSeconds(duration)).toBeCloseTo(want, 6);
  });
});

describe('runPlanFor', () => {
  it('plans a dns repeat with defaults', () => {
    expect(runPlanFor(bench(), RUN, 1, targets, 'example.com')).toEqual({
      benchmark: { namespace: 'ns', name: 'dns', uid: 'u1' },
      runId: RUN,
      repeat: 1,
      type: 'dns',
      durationSeconds: 30,
      warmupSeconds: 3,
      targets,
      dns: { clients: 4, threads: 1, timeoutSeconds: 5, origin: 'example.com' },
      inputConfigMap: `dns-${RUN}-input`,
      resultConfigMap: `dns-${RUN}-1-result`,
    });
  });

  it('takes dns settings from the spec', () => {
    const plan = runPlanFor(
      bench({ dns: { clients: 8, threads: 2, maxQPS: 5000, timeoutSeconds: 2 } }),
      RUN,
      2,
      targets,
      undefined,
    );
    expect(plan.dns).toEqual({ clients: 8, threads: 2, maxQps: 5000, timeoutSeconds: 2 });
    expect(plan.http).toBeUndefined();
    expect(plan.resultConfigMap).toBe(`dns-${RUN}-2-result`);
  });

  it('plans http with defaults and with settings', () => {
    const defaults = runPlanFor(bench({ type: 'http' }), RUN, 1, targets, undefined);
    expect(defaults.http).toEqual({ path: '/', connections: 32, threads: 1 });
    expect(defaults.dns).toBeUndefined();
    const set = runPlanFor(
      bench({
        type: 'http',
        http: { path: '/a', hostHeader: 'www.example.com', connections: 8, threads: 4 },
      }),
      RUN,
      1,
      targets,
      'ignored',
    );
    expect(set.http).toEqual({ path: '/a', hostHeader: 'www.example.com', connections: 8, threads: 4 });
  });

  it.each(['cpu', 'memory'] as const)('plans %s without dns or http settings', (type) => {
    const plan = runPlanFor(bench({ type }), RUN, 1, targets, undefined);
    expect(plan.dns).toBeUndefined();
    expect(plan.http).toBeUndefined();
  });

  it.each([
    ['30s', undefined, 1, 30, 3],
    ['30s', undefined, 2, 30, 0],
    ['30s', true, 1, 30, 3],
    ['30s', false, 1, 30, 0],
    ['5s', undefined, 1, 5, 1],
    ['1m30s', undefined, 1, 90, 9],
    ['1h', undefined, 1, 3600, 360],
    ['500ms', undefined, 1, 1, 1],
    ['14s', undefined, 1, 14, 1],
    ['15s', undefined, 1, 15, 2],
  ])('duration %s, warmup %s, repeat %d: %d s, warm-up %d s', (duration, warmup, repeat, seconds, warm) => {
    const plan = runPlanFor(
      bench({ duration, ...(warmup !== undefined && { warmup }) }),
      RUN,
      repeat,
      targets,
      undefined,
    );
    expect([plan.durationSeconds, plan.warmupSeconds]).toEqual([seconds, warm]);
  });
});
