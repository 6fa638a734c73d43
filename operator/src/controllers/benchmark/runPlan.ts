import type { Benchmark } from '../../api/types.generated.js';
import type { PlannedTarget, RunPlan } from '../../bench/plan.js';
import { inputConfigMapName, jobName, resultConfigMapName } from './names.js';

/** spec.duration (Go duration of whole units, checked at admission) in seconds. Pure. */
export function durationSeconds(duration: string | undefined): number {
  let seconds = 0;
  for (const [, amount, unit] of (duration ?? '30s').matchAll(/([0-9]+)(ms|s|m|h)/g))
    seconds += Number(amount) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h'];
  return seconds;
}

/** What the Job of one repeat does. Pure. */
export function runPlanFor(
  benchmark: Benchmark,
  runId: string,
  repeat: number,
  targets: PlannedTarget[],
  origin: string | undefined,
): RunPlan {
  const name = benchmark.metadata.name ?? '';
  const duration = Math.max(1, Math.round(durationSeconds(benchmark.spec.duration)));
  const warmup = (benchmark.spec.warmup ?? true) && repeat === 1 ? Math.max(1, Math.round(duration / 10)) : 0;
  const dns = benchmark.spec.dns;
  const http = benchmark.spec.http;
  return {
    benchmark: { namespace: benchmark.metadata.namespace ?? '', name, uid: benchmark.metadata.uid ?? '' },
    runId,
    repeat,
    type: benchmark.spec.type,
    durationSeconds: duration,
    warmupSeconds: warmup,
    targets,
    ...(benchmark.spec.type === 'dns' && {
      dns: {
        clients: dns?.clients ?? 4,
        threads: dns?.threads ?? 1,
        ...(dns?.maxQPS !== undefined && { maxQps: dns.maxQPS }),
        timeoutSeconds: dns?.timeoutSeconds ?? 5,
        ...(origin && { origin }),
      },
    }),
    ...(benchmark.spec.type === 'http' && {
      http: {
        path: http?.path ?? '/',
        ...(http?.hostHeader && { hostHeader: http.hostHeader }),
        connections: http?.connections ?? 32,
        threads: http?.threads ?? 1,
      },
    }),
    inputConfigMap: inputConfigMapName(name, runId),
    resultConfigMap: resultConfigMapName(jobName(name, runId, repeat)),
  };
}
