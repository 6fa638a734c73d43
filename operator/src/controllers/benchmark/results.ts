import type { Benchmark } from '../../api/types.generated.js';
import type { Measurement } from '../../bench/measurement.js';
import type { RepeatResult, TargetOutcome } from '../../bench/plan.js';

export type RunStatus = NonNullable<NonNullable<Benchmark['status']>['runs']>[number];
export type TargetResult = NonNullable<RunStatus['results']>[number];

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Per target: the mean over the repeats that measured it, and its ratio to the baseline. Pure. */
export function aggregateResults(benchmark: Benchmark, repeats: readonly RepeatResult[]): TargetResult[] {
  const type = benchmark.spec.type;
  const results = benchmark.spec.targets.map((target) =>
    aggregateTarget(
      target.name,
      type,
      repeats.map((r) => r.outcomes.find((o) => o.target === target.name)).filter((o) => o !== undefined),
    ),
  );
  const baseline = results.find((r) => r.target === benchmark.spec.baseline);
  const baselineThroughput = baseline && !baseline.failed ? throughputOf(baseline) : undefined;
  if (!baselineThroughput) return results;
  return results.map((r) =>
    r.failed ? r : { ...r, ratioToBaseline: round((throughputOf(r) ?? 0) / baselineThroughput, 4) },
  );
}

export function throughputOf(result: TargetResult): number | undefined {
  return result.qps ?? result.rps ?? result.score;
}

function aggregateTarget(
  target: string,
  type: Benchmark['spec']['type'],
  outcomes: TargetOutcome[],
): TargetResult {
  const measured = outcomes
    .filter((o) => !o.failed && o.measurement)
    .map((o) => o.measurement as Measurement);
  const warmup = outcomes.find((o) => o.warmup)?.warmup;
  const lastFailure = [...outcomes].reverse().find((o) => o.failed)?.failed;
  if (measured.length === 0) {
    return {
      target,
      samples: 0,
      failed: true,
      reason: lastFailure?.reason ?? 'NotMeasured',
      message: (lastFailure?.message ?? 'no measurement came back').slice(0, 1024),
    };
  }
  const throughputs = measured.map((m) => m.throughput);
  const average = mean(throughputs);
  const deviation = Math.sqrt(mean(throughputs.map((t) => (t - average) ** 2)));
  const optionalMean = (pick: (m: Measurement) => number | undefined) => {
    const values = measured.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? round(mean(values)) : undefined;
  };
  const throughputField =
    type === 'dns'
      ? { qps: round(average, 1) }
      : type === 'http'
        ? { rps: round(average, 1) }
        : { score: round(average, 2) };
  const latencyAvgMs = optionalMean((m) => m.latencyAvgMs);
  const latencyP50Ms = optionalMean((m) => m.latencyP50Ms);
  const latencyP99Ms = optionalMean((m) => m.latencyP99Ms);
  const responseCodes = sumCodes(measured);
  const scoreUnit = measured[0]?.scoreUnit;
  return {
    target,
    samples: measured.length,
    ...throughputField,
    ...(scoreUnit && (type === 'cpu' || type === 'memory') && { scoreUnit }),
    ...(latencyAvgMs !== undefined && { latencyAvgMs }),
    ...(latencyP50Ms !== undefined && { latencyP50Ms }),
    ...(latencyP99Ms !== undefined && { latencyP99Ms }),
    relativeStdDev: average > 0 ? round(deviation / average, 4) : 0,
    errors: measured.reduce((sum, m) => sum + m.errors, 0),
    ...(responseCodes && { responseCodes }),
    ...(warmup && { warmupThroughput: round(warmup.throughput, 1) }),
    // Some repeats failed: the mean is over the others, and the message says so.
    ...(lastFailure && {
      reason: lastFailure.reason,
      message: `some repeats failed: ${lastFailure.message}`.slice(0, 1024),
    }),
  };
}

function sumCodes(measured: Measurement[]): Record<string, number> | undefined {
  const codes: Record<string, number> = {};
  for (const m of measured)
    for (const [code, count] of Object.entries(m.responseCodes ?? {}))
      codes[code] = (codes[code] ?? 0) + count;
  return Object.keys(codes).length > 0 ? codes : undefined;
}
