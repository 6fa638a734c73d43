import { describe, expect, it } from '@jest/globals';
import type { Benchmark, Condition } from '../../api/types.generated.js';
import type { RepeatResult, TargetOutcome } from '../../bench/plan.js';
import type { RunStatus } from './results.js';
import { desiredStatus, failedRun, finishedRun } from './status.js';

const T0 = '2026-11-27T10:00:00Z';
const NOW = '2026-11-27T11:00:00Z';

const bench = (conditions?: Condition[], generation: number | null = 4): Benchmark => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  metadata: { name: 'b', namespace: 'ns', uid: 'u1', ...(generation !== null && { generation }) },
  spec: {
    type: 'dns',
    repeats: 2,
    targets: [
      { name: 'native', kind: 'native' },
      { name: 'vm', kind: 'guestDomain', guestRef: { name: 'g' } },
    ],
  },
  ...(conditions && { status: { conditions } }),
});

const running: RunStatus = { id: 'r2', phase: 'Running', startTime: NOW, generation: 4, repeatsDone: 1 };
const ok = (target: string): TargetOutcome => ({ target, measurement: { throughput: 100, errors: 0 } });
const fail = (target: string): TargetOutcome => ({
  target,
  failed: { reason: 'GuestNotReady', message: 'not ready' },
});
const repeat = (n: number, outcomes: TargetOutcome[]): RepeatResult => ({
  runId: 'r1',
  repeat: n,
  startTime: T0,
  completionTime: T0,
  outcomes,
});
const started: RunStatus = { id: 'r1', phase: 'Running', startTime: T0, generation: 4, repeatsDone: 1 };

describe('finishedRun', () => {
  it('succeeds when every target was measured', () => {
    const run = finishedRun(
      bench(),
      started,
      [repeat(1, [ok('native'), ok('vm')]), repeat(2, [ok('native'), ok('vm')])],
      NOW,
    );
    expect(run).toMatchObject({
      id: 'r1',
      phase: 'Succeeded',
      completionTime: NOW,
      repeatsDone: 2,
      startTime: T0,
    });
    expect(run.results?.map((r) => r.target)).toEqual(['native', 'vm']);
    expect(run.message).toBeUndefined();
  });

  it('succeeds with some failed targets, and says which', () => {
    const run = finishedRun(
      bench(),
      started,
      [repeat(1, [ok('native'), fail('vm')]), repeat(2, [ok('native'), fail('vm')])],
      NOW,
    );
    expect(run.phase).toBe('Succeeded');
    expect(run.message).toBe('1 of 2 targets failed: vm (GuestNotReady: not ready)');
  });

  it('fails when every target failed', () => {
    const run = finishedRun(bench(), started, [repeat(1, [fail('native'), fail('vm')])], NOW);
    expect(run.phase).toBe('Failed');
    expect(run.message).toMatch(/^2 of 2 targets failed: native .*; vm /);
  });
});

describe('failedRun', () => {
  it('fails the run with the message, cut to 4096 characters', () => {
    expect(failedRun(started, 'Job failed', NOW)).toEqual({
      ...started,
      phase: 'Failed',
      completionTime: NOW,
      message: 'Job failed',
    });
    expect(failedRun(started, 'x'.repeat(5000), NOW).message).toHaveLength(4096);
  });
});

const extra = { reportConfigMap: 'b-report', reportPath: '/benchmarks/ns/b' };
const succeeded: RunStatus = {
  id: 'r1',
  phase: 'Succeeded',
  startTime: T0,
  results: [{ target: 'native', samples: 2, qps: 100 }],
};
const partial: RunStatus = {
  ...succeeded,
  message: '1 of 2 targets failed: vm',
  results: [
    { target: 'native', samples: 2 },
    { target: 'vm', samples: 0, failed: true },
  ],
};
const failed: RunStatus = { id: 'r1', phase: 'Failed', startTime: T0, message: 'Job b-r1-1 failed' };
const cond = (status: ReturnType<typeof desiredStatus>, type: string) =>
  status.conditions?.find((c) => c.type === type);

describe('desiredStatus', () => {
  it.each([
    ['no run', [], 'False', 'NoRunYet', 'no run has finished yet'],
    ['only a running run', [running], 'False', 'NoRunYet', 'no run has finished yet'],
    ['a measured run', [succeeded], 'True', 'Measured', 'run r1 measured every target'],
    ['a run with failed targets', [partial], 'False', 'TargetsFailed', '1 of 2 targets failed: vm'],
    ['a failed run', [failed], 'False', 'RunFailed', 'run r1 failed: Job b-r1-1 failed'],
    [
      'a running run after a measured one',
      [running, succeeded],
      'True',
      'Measured',
      'run r1 measured every target',
    ],
  ])('Ready with %s', (_, runs, status, reason, message) => {
    const got = desiredStatus(bench(), runs, extra, NOW);
    expect(cond(got, 'Ready')).toEqual({
      type: 'Ready',
      status,
      reason,
      message,
      observedGeneration: 4,
      lastTransitionTime: NOW,
    });
  });

  it('says Running while a run is Running', () => {
    const got = desiredStatus(bench(), [running, succeeded], extra, NOW);
    expect(cond(got, 'Running')).toMatchObject({
      status: 'True',
      reason: 'RunInProgress',
      message: 'run r2: 1 of 2 repeats done',
    });
    expect(got).toMatchObject({
      observedGeneration: 4,
      lastRunTime: NOW,
      ...extra,
      runs: [running, succeeded],
    });
    expect(got.nextRunTime).toBeUndefined();
  });

  it('says Idle with the next run time when nothing runs', () => {
    const got = desiredStatus(bench(), [succeeded], { ...extra, nextRunTime: '2026-11-28T00:00:00Z' }, NOW);
    expect(cond(got, 'Running')).toMatchObject({
      status: 'False',
      reason: 'Idle',
      message: 'next run at 2026-11-28T00:00:00Z',
    });
    expect(got).toMatchObject({ lastRunTime: T0, nextRunTime: '2026-11-28T00:00:00Z' });
    expect(cond(desiredStatus(bench(), [], extra, NOW), 'Running')?.message).toBe('no run in progress');
  });

  it('keeps lastTransitionTime while the status does not flip, moves it when it does', () => {
    const before: Condition[] = [
      {
        type: 'Running',
        status: 'False',
        reason: 'Idle',
        message: '',
        lastTransitionTime: T0,
        observedGeneration: 3,
      },
      {
        type: 'Ready',
        status: 'False',
        reason: 'NoRunYet',
        message: '',
        lastTransitionTime: T0,
        observedGeneration: 3,
      },
    ];
    const got = desiredStatus(bench(before), [partial], extra, NOW);
    expect(cond(got, 'Ready')).toMatchObject({
      reason: 'TargetsFailed',
      lastTransitionTime: T0,
      observedGeneration: 4,
    });
    expect(cond(got, 'Running')).toMatchObject({ lastTransitionTime: T0 });
    const flipped = desiredStatus(bench(before), [running, succeeded], extra, NOW);
    expect(cond(flipped, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: NOW });
    expect(cond(flipped, 'Running')).toMatchObject({ status: 'True', lastTransitionTime: NOW });
  });

  it('leaves observedGeneration out without a generation', () => {
    const got = desiredStatus(bench(undefined, null), [], extra, NOW);
    expect(got.observedGeneration).toBeUndefined();
    expect(got.conditions?.every((c) => c.observedGeneration === undefined)).toBe(true);
    expect(got.lastRunTime).toBeUndefined();
  });
});
