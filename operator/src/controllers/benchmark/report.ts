import type { Benchmark } from '../../api/types.generated.js';
import type { ReportInput, ReportTargetResult } from '../../bench/report/model.js';
import { reportFiles } from '../../bench/report/html.js';
import { BENCHMARK_LABEL, ROLE_LABEL } from '../../bench/plan.js';
import { controllerReference } from '../../kube/secrets.js';
import type { BenchmarkStatus } from './status.js';
import { reportConfigMapName } from './names.js';
import { throughputOf } from './results.js';

const UNITS = { dns: 'queries/s', http: 'requests/s', cpu: 'events/s', memory: 'MiB/s' } as const;

/** What the report shows of a Benchmark and its status. Pure. */
export function reportInputOf(
  benchmark: Benchmark,
  status: BenchmarkStatus | undefined,
  generatedAt: string,
): ReportInput {
  const kinds = new Map(benchmark.spec.targets.map((t) => [t.name, t.kind]));
  return {
    namespace: benchmark.metadata.namespace ?? '',
    name: benchmark.metadata.name ?? '',
    type: benchmark.spec.type,
    ...(benchmark.spec.baseline && { baseline: benchmark.spec.baseline }),
    generatedAt,
    runs: (status?.runs ?? []).map((run) => ({
      id: run.id,
      phase: run.phase ?? 'Running',
      ...(run.startTime && { startTime: run.startTime }),
      ...(run.completionTime && { completionTime: run.completionTime }),
      ...(run.message && { message: run.message }),
      results: (run.results ?? []).map((r): ReportTargetResult => {
        const throughput = throughputOf(r);
        return {
          target: r.target,
          kind: kinds.get(r.target) ?? 'unknown',
          unit: r.scoreUnit ?? UNITS[benchmark.spec.type],
          ...(r.failed && { failed: { reason: r.reason ?? 'Failed', message: r.message ?? '' } }),
          ...(throughput !== undefined && { throughput }),
          ...(r.latencyAvgMs !== undefined && { latencyAvgMs: r.latencyAvgMs }),
          ...(r.latencyP50Ms !== undefined && { latencyP50Ms: r.latencyP50Ms }),
          ...(r.latencyP99Ms !== undefined && { latencyP99Ms: r.latencyP99Ms }),
          ...(r.errors !== undefined && { errors: r.errors }),
          ...(r.ratioToBaseline !== undefined && { ratioToBaseline: r.ratioToBaseline }),
          ...(r.relativeStdDev !== undefined && { relativeStdDev: r.relativeStdDev }),
          ...(r.samples !== undefined && { samples: r.samples }),
          ...(r.warmupThroughput !== undefined && { warmupThroughput: r.warmupThroughput }),
        };
      }),
    })),
  };
}

/** The ConfigMap that keeps the report (report.html, chart.svg, results.json), owned by the Benchmark. */
export function reportConfigMap(benchmark: Benchmark, status: BenchmarkStatus, generatedAt: string) {
  const name = benchmark.metadata.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: reportConfigMapName(name),
      namespace: benchmark.metadata.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'servirt', [BENCHMARK_LABEL]: name, [ROLE_LABEL]: 'report' },
      ownerReferences: [
        controllerReference({
          apiVersion: 'servirt.dev/v1alpha1',
          kind: 'Benchmark',
          name,
          uid: benchmark.metadata.uid ?? '',
        }),
      ],
    },
    data: reportFiles(reportInputOf(benchmark, status, generatedAt)),
  };
}
