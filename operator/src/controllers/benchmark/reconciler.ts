import type { Logger } from 'pino';
import type { Benchmark, DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { BenchmarkResource } from '../../api/types.generated.js';
import { RESULT_KEY, type RepeatResult } from '../../bench/plan.js';
import { isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import { apply, applyStatus, sameStatus } from '../../kube/objects.js';
import {
  CONFIG_MAPS,
  JOBS,
  ROLES,
  ROLE_BINDINGS,
  SERVICE_ACCOUNTS,
  objectKey,
  resourcePath,
  type ResourceType,
} from '../../kube/resourcePath.js';
import type { ReconcileResult } from '../../manager/controller.js';
import type { Informer, KubeObject } from '../../manager/informer.js';
import { runInput } from './inputs.js';
import { inputConfigMap, runnerAccess, runnerJob } from './job.js';
import {
  inputConfigMapName,
  jobName,
  reportConfigMapName,
  reportPath,
  resultConfigMapName,
  runIdFor,
} from './names.js';
import { reportConfigMap } from './report.js';
import type { RunStatus } from './results.js';
import { runPlanFor } from './runPlan.js';
import { nextRunAfter, parseSchedule } from './schedule.js';
import { desiredStatus, failedRun, finishedRun } from './status.js';
import { planTargets } from './targets.js';

export const CONTROLLER_NAME = 'benchmark';
export const BENCHMARKS: ResourceType = BenchmarkResource;

export interface JobObject extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface BenchmarkDeps {
  client: KubeClient;
  benchmarks: Informer<Benchmark>;
  jobs: Informer<JobObject>;
  /** Metadata only: which result ConfigMaps exist; their data is read when they appear. */
  configMaps: Informer<KubeObject>;
  guests: Informer<GuestDomain>;
  zones: Informer<DnsZone>;
  sites: Informer<WebSite>;
  runnerImage: string;
  log: Logger;
  now?: () => Date;
}

/** Benchmark: start a run when due -> one Job per repeat, in turn -> results -> status and report. */
export function benchmarkReconciler(deps: BenchmarkDeps) {
  const results = new Map<string, { version: string; result: RepeatResult }>();
  return async (key: string): Promise<ReconcileResult> => {
    const benchmark = deps.benchmarks.get(key);
    if (!benchmark || benchmark.metadata.deletionTimestamp) return {};
    const now = (deps.now ?? (() => new Date()))();
    const nowIso = now.toISOString();
    const keep = benchmark.spec.keepRuns ?? 10;
    let runs = [...(benchmark.status?.runs ?? [])];
    const running = runs.find((run) => run.phase === 'Running');
    const schedule = benchmark.spec.schedule ? parseSchedule(benchmark.spec.schedule) : undefined;
    const scheduled = schedule && !('error' in schedule) ? schedule : undefined;
    const timeZone = benchmark.spec.timeZone ?? 'UTC';
    const lastStart = runs[0]?.startTime ?? String(benchmark.metadata.creationTimestamp ?? nowIso);
    const nextRun = scheduled ? nextRunAfter(scheduled, new Date(lastStart), timeZone) : undefined;

    if (running) {
      const advanced = await advanceRun(deps, benchmark, running, results, nowIso);
      runs = runs.map((run) => (run.id === running.id ? advanced : run));
    } else if (!benchmark.spec.suspend && dueNow(benchmark, runs, nextRun, now)) {
      runs = [await startRun(deps, benchmark, now), ...runs];
    }
    runs = runs.slice(0, Math.max(keep, runs.findIndex((run) => run.phase === 'Running') + 1));
    await pruneRuns(deps, benchmark, new Set(runs.map((run) => run.id)));

    const stillRunning = runs.some((run) => run.phase === 'Running');
    const upcoming = stillRunning ? undefined : nextRunAfterRuns(scheduled, runs, lastStart, timeZone);
    const name = benchmark.metadata.name ?? '';
    const namespace = benchmark.metadata.namespace ?? '';
    const status = desiredStatus(
      benchmark,
      runs,
      {
        ...(upcoming && { nextRunTime: upcoming.toISOString() }),
        reportConfigMap: reportConfigMapName(name),
        reportPath: reportPath(namespace, name),
      },
      nowIso,
    );
    if (!sameStatus(status, benchmark.status)) {
      await applyStatus(deps.client, BENCHMARKS, CONTROLLER_NAME, { namespace, name }, status);
      await apply(deps.client, CONFIG_MAPS, CONTROLLER_NAME, reportConfigMap(benchmark, status, nowIso));
    }
    if (stillRunning) return { requeueAfterMs: 30_000 };
    if (upcoming)
      return { requeueAfterMs: Math.max(1_000, Math.min(upcoming.getTime() - now.getTime(), 3_600_000)) };
    return {};
  };
}

/** A first run, a run of a changed spec, or a scheduled run whose time has come. */
function dueNow(benchmark: Benchmark, runs: RunStatus[], nextRun: Date | undefined, now: Date): boolean {
  const latest = runs[0];
  if (!latest) return true;
  if ((latest.generation ?? 0) < (benchmark.metadata.generation ?? 0)) return true;
  return nextRun !== undefined && nextRun.getTime() <= now.getTime();
}

function nextRunAfterRuns(
  scheduled: ReturnType<typeof parseSchedule> | undefined,
  runs: RunStatus[],
  fallback: string,
  timeZone: string,
): Date | undefined {
  if (!scheduled || 'error' in scheduled) return undefined;
  return nextRunAfter(scheduled, new Date(runs[0]?.startTime ?? fallback), timeZone);
}

async function startRun(deps: BenchmarkDeps, benchmark: Benchmark, now: Date): Promise<RunStatus> {
  const runId = runIdFor(now);
  const run: RunStatus = {
    id: runId,
    phase: 'Running',
    startTime: now.toISOString(),
    generation: benchmark.metadata.generation ?? 0,
    repeatsDone: 0,
  };
  const namespace = benchmark.metadata.namespace ?? '';
  const input = await runInput(benchmark, {
    client: deps.client,
    zoneNamed: (name) => deps.zones.get(`${namespace}/${name}`),
    zonesInNamespace: (ns) => deps.zones.list().filter((z) => z.metadata.namespace === ns),
    guestNamed: (name) => deps.guests.get(`${namespace}/${name}`),
    webSitesInNamespace: (ns) => deps.sites.list().filter((s) => s.metadata.namespace === ns),
  });
  if (input.kind === 'problem') return failedRun(run, `${input.reason}: ${input.message}`, now.toISOString());
  for (const object of runnerAccess(benchmark))
    await apply(deps.client, typeOf(object.kind), CONTROLLER_NAME, object);
  const name = benchmark.metadata.name ?? '';
  await createIgnoringConflict(
    deps.client,
    CONFIG_MAPS,
    inputConfigMap(benchmark, inputConfigMapName(name, runId), runId, input.data),
  );
  await createJob(deps, benchmark, runId, 1, input.origin);
  return { ...run, jobName: jobName(name, runId, 1) };
}

async function advanceRun(
  deps: BenchmarkDeps,
  benchmark: Benchmark,
  run: RunStatus,
  cache: Map<string, { version: string; result: RepeatResult }>,
  now: string,
): Promise<RunStatus> {
  const namespace = benchmark.metadata.namespace ?? '';
  const name = benchmark.metadata.name ?? '';
  const repeats = benchmark.spec.repeats ?? 3;
  const done: RepeatResult[] = [];
  for (let repeat = 1; repeat <= repeats; repeat++) {
    const result = await readResult(
      deps,
      namespace,
      resultConfigMapName(jobName(name, run.id, repeat)),
      cache,
    );
    if (!result) break;
    done.push(result);
  }
  if (done.length === repeats) return finishedRun(benchmark, run, done, now);
  const next = jobName(name, run.id, done.length + 1);
  const job = deps.jobs.get(`${namespace}/${next}`);
  const failure = job?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failure)
    return failedRun(
      run,
      `Job ${next} failed (${failure.reason ?? 'Failed'}): ${failure.message ?? 'no message'}`,
      now,
    );
  if (!job) {
    const origin = benchmark.spec.dns?.zoneRef
      ? deps.zones.get(`${namespace}/${benchmark.spec.dns.zoneRef.name}`)?.spec.origin
      : undefined;
    await createJob(deps, benchmark, run.id, done.length + 1, origin);
  }
  return { ...run, repeatsDone: done.length, jobName: next };
}

async function createJob(
  deps: BenchmarkDeps,
  benchmark: Benchmark,
  runId: string,
  repeat: number,
  origin?: string,
) {
  const namespace = benchmark.metadata.namespace ?? '';
  const { targets, secretEnv } = planTargets(benchmark, (name) => deps.guests.get(`${namespace}/${name}`));
  const plan = runPlanFor(benchmark, runId, repeat, targets, origin);
  const name = jobName(benchmark.metadata.name ?? '', runId, repeat);
  await createIgnoringConflict(
    deps.client,
    JOBS,
    runnerJob(benchmark, name, plan, secretEnv, deps.runnerImage),
  );
}

async function readResult(
  deps: BenchmarkDeps,
  namespace: string,
  name: string,
  cache: Map<string, { version: string; result: RepeatResult }>,
): Promise<RepeatResult | undefined> {
  const meta = deps.configMaps.get(`${namespace}/${name}`);
  if (!meta) return undefined;
  const key = `${namespace}/${name}`;
  const version = meta.metadata.resourceVersion ?? '';
  const cached = cache.get(key);
  if (cached && cached.version === version) return cached.result;
  const configMap = await deps.client
    .request<{ data?: Record<string, string> }>({
      method: 'GET',
      path: resourcePath(CONFIG_MAPS, { namespace, name }),
    })
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  const text = configMap?.data?.[RESULT_KEY];
  if (!text) return undefined;
  const result = JSON.parse(text) as RepeatResult;
  cache.set(key, { version, result });
  return result;
}

/** Jobs and ConfigMaps of runs no longer kept go (the pods of a Job with it). */
async function pruneRuns(deps: BenchmarkDeps, benchmark: Benchmark, kept: Set<string>): Promise<void> {
  const namespace = benchmark.metadata.namespace ?? '';
  const uid = benchmark.metadata.uid;
  const owned = (object: KubeObject) =>
    object.metadata.namespace === namespace &&
    (object.metadata.ownerReferences ?? []).some((ref) => ref.uid === uid) &&
    object.metadata.labels?.['servirt.dev/run'] !== undefined &&
    !kept.has(object.metadata.labels['servirt.dev/run'] ?? '');
  for (const [type, informer] of [
    [JOBS, deps.jobs],
    [CONFIG_MAPS, deps.configMaps],
  ] as const) {
    for (const object of informer.list().filter(owned)) {
      await deps.client
        .request({
          method: 'DELETE',
          path: resourcePath(type, { namespace, name: object.metadata.name }),
          query: { propagationPolicy: 'Background' },
        })
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
      deps.log.debug({ benchmark: objectKey(benchmark.metadata), object: object.metadata.name }, 'pruned');
    }
  }
}

async function createIgnoringConflict(
  client: KubeClient,
  type: ResourceType,
  object: KubeObject,
): Promise<void> {
  await client
    .request({
      method: 'POST',
      path: resourcePath(type, { namespace: object.metadata.namespace }),
      body: object,
    })
    .catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
}

function typeOf(kind: string): ResourceType {
  return kind === 'ServiceAccount' ? SERVICE_ACCOUNTS : kind === 'Role' ? ROLES : ROLE_BINDINGS;
}
