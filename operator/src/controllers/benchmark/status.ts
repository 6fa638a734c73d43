import type { Benchmark } from '../../api/types.generated.js';
import type { RepeatResult } from '../../bench/plan.js';
import { setConditions, type ConditionUpdate } from '../../kube/conditions.js';
import { aggregateResults, type RunStatus } from './results.js';

export type BenchmarkStatus = NonNullable<Benchmark['status']>;

/** A run whose repeats are all in: its results, and Succeeded unless no target could be measured. Pure. */
export function finishedRun(
  benchmark: Benchmark,
  run: RunStatus,
  repeats: readonly RepeatResult[],
  now: string,
): RunStatus {
  const results = aggregateResults(benchmark, repeats);
  const failed = results.filter((r) => r.failed);
  const phase = failed.length === results.length ? 'Failed' : 'Succeeded';
  const message =
    failed.length > 0
      ? `${failed.length} of ${results.length} targets failed: ${failed.map((r) => `${r.target} (${r.reason}: ${r.message})`).join('; ')}`
      : undefined;
  return {
    ...run,
    phase,
    completionTime: now,
    repeatsDone: repeats.length,
    results,
    ...(message && { message: message.slice(0, 4096) }),
  };
}

export function failedRun(run: RunStatus, message: string, now: string): RunStatus {
  return { ...run, phase: 'Failed', completionTime: now, message: message.slice(0, 4096) };
}

/** Ready says how the latest finished run went; Running whether one is in progress. Pure. */
export function desiredStatus(
  benchmark: Benchmark,
  runs: readonly RunStatus[],
  extra: { nextRunTime?: string; reportConfigMap: string; reportPath: string },
  now: string,
): BenchmarkStatus {
  const generation = benchmark.metadata.generation;
  const running = runs.find((r) => r.phase === 'Running');
  const finished = runs.find((r) => r.phase !== 'Running');
  const conditions: ConditionUpdate[] = [
    running
      ? {
          type: 'Running',
          status: 'True',
          reason: 'RunInProgress',
          message: `run ${running.id}: ${running.repeatsDone ?? 0} of ${benchmark.spec.repeats ?? 3} repeats done`,
        }
      : {
          type: 'Running',
          status: 'False',
          reason: 'Idle',
          message: extra.nextRunTime ? `next run at ${extra.nextRunTime}` : 'no run in progress',
        },
    readyCondition(finished),
  ];
  const updates = conditions.map((u) => ({
    ...u,
    ...(generation !== undefined && { observedGeneration: generation }),
  }));
  const lastRunTime = runs[0]?.startTime;
  return {
    ...(generation !== undefined && { observedGeneration: generation }),
    ...(lastRunTime && { lastRunTime }),
    ...(extra.nextRunTime && { nextRunTime: extra.nextRunTime }),
    reportConfigMap: extra.reportConfigMap,
    reportPath: extra.reportPath,
    runs: [...runs],
    conditions: setConditions(benchmark.status?.conditions, updates, now),
  };
}

function readyCondition(finished: RunStatus | undefined): ConditionUpdate {
  if (!finished)
    return { type: 'Ready', status: 'False', reason: 'NoRunYet', message: 'no run has finished yet' };
  if (finished.phase === 'Failed')
    return {
      type: 'Ready',
      status: 'False',
      reason: 'RunFailed',
      message: `run ${finished.id} failed: ${finished.message ?? ''}`,
    };
  const failed = (finished.results ?? []).filter((r) => r.failed);
  if (failed.length > 0)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'TargetsFailed',
      message: finished.message ?? `${failed.length} targets failed`,
    };
  return {
    type: 'Ready',
    status: 'True',
    reason: 'Measured',
    message: `run ${finished.id} measured every target`,
  };
}
