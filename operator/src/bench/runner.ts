// One repeat of a benchmark run, as the Job's runner does it: every target measured the same way,
// one after the other; a target that cannot be measured gets a failed outcome and the others go on.
import type { Measurement } from './measurement.js';
import type { Failure, PlannedTarget, RepeatResult, RunPlan, TargetOutcome } from './plan.js';
import { connectGuest } from '../guest/channel.js';
import { runDnsperf, type DnsperfRunOptions } from './tools/dnsperf.js';
import { runWrk } from './tools/wrk.js';
import { runSysbench } from './tools/sysbench.js';
import { localRunner } from './tools/localRunner.js';
import type { NativeServer } from './native/nativeBind.js';

export interface RunnerInput {
  /** Path of the queries file (dns). */
  queriesFile?: string;
  /** Starts the native server of a dns or http benchmark (zone or site from the input ConfigMap). */
  startNative?: () => Promise<NativeServer>;
  env: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export async function runRepeat(plan: RunPlan, input: RunnerInput): Promise<RepeatResult> {
  const startTime = new Date().toISOString();
  const needsNative =
    (plan.type === 'dns' || plan.type === 'http') && plan.targets.some((t) => t.kind === 'native');
  let native: NativeServer | Failure | undefined;
  if (needsNative) {
    native = await (input.startNative ?? (() => noNative(plan.type)))().catch((error: unknown): Failure => ({
      reason: 'NativeServerFailed',
      message: (error as Error).message,
    }));
  }
  const outcomes: TargetOutcome[] = [];
  try {
    // Each repeat starts with another target, so no target always runs first (or last).
    const order = rotate(plan.targets, (plan.repeat - 1) % Math.max(1, plan.targets.length));
    for (const target of order) {
      input.log?.(`measuring ${target.name}`);
      outcomes.push(await measureTarget(plan, target, native, input));
    }
  } finally {
    if (native && 'stop' in native) await native.stop();
  }
  const byName = new Map(outcomes.map((o) => [o.target, o]));
  return {
    runId: plan.runId,
    repeat: plan.repeat,
    startTime,
    completionTime: new Date().toISOString(),
    outcomes: plan.targets.map((t) => byName.get(t.name) as TargetOutcome),
  };
}

async function noNative(type: string): Promise<NativeServer> {
  throw new Error(
    type === 'http'
      ? 'a native http baseline (Apache run by the Job) is not implemented yet'
      : 'no zone for a native server: set dns.zoneRef',
  );
}

async function measureTarget(
  plan: RunPlan,
  target: PlannedTarget,
  native: NativeServer | Failure | undefined,
  input: RunnerInput,
): Promise<TargetOutcome> {
  if (target.unavailable) return { target: target.name, failed: target.unavailable };
  if (target.kind === 'native' && native && !('stop' in native))
    return { target: target.name, failed: native };
  const endpoint = target.kind === 'native' && native && 'stop' in native ? native.endpoint : target.endpoint;
  try {
    const once = (seconds: number, warmup: boolean) =>
      measureOnce(plan, target, endpoint, seconds, warmup, input);
    const warmup = plan.warmupSeconds > 0 ? await once(plan.warmupSeconds, true) : undefined;
    const measurement = await once(plan.durationSeconds, false);
    const failed = noAnswers(plan, target, endpoint, measurement);
    return { target: target.name, measurement, ...(warmup && { warmup }), ...(failed && { failed }) };
  } catch (error) {
    const message = (error as Error).message;
    const reason = /no answer|connection refused|could not connect|unable to connect/i.test(message)
      ? 'NoAnswers'
      : 'MeasurementFailed';
    return { target: target.name, failed: { reason, message } };
  }
}

function measureOnce(
  plan: RunPlan,
  target: PlannedTarget,
  endpoint: { host: string; port: number } | undefined,
  durationSeconds: number,
  warmup: boolean,
  input: RunnerInput,
): Promise<Measurement> {
  switch (plan.type) {
    case 'dns': {
      const dns = plan.dns;
      if (!endpoint || !dns || !input.queriesFile)
        throw new Error(`no DNS server or queries for ${target.name}`);
      return measureDns(
        {
          server: endpoint.host,
          port: endpoint.port,
          queriesFile: input.queriesFile,
          durationSeconds,
          clients: dns.clients,
          threads: dns.threads,
          ...(dns.maxQps !== undefined && { maxQps: dns.maxQps }),
          timeoutSeconds: dns.timeoutSeconds,
        },
        warmup,
      );
    }
    case 'http': {
      const http = plan.http ?? { path: '/', connections: 32, threads: 1 };
      const url = target.url ?? (endpoint ? `http://${hostPort(endpoint)}${http.path}` : undefined);
      if (!url) throw new Error(`no URL for ${target.name}`);
      return runWrk({
        url,
        ...(http.hostHeader && { hostHeader: http.hostHeader }),
        connections: http.connections,
        threads: http.threads,
        durationSeconds,
      });
    }
    case 'cpu':
    case 'memory':
      return measureInside(plan.type, target, durationSeconds, input.env);
  }
}

/**
 * Throughput and mean latency from dnsperf run as by hand; p50/p99 from a second, shorter pass
 * at half that rate with every answer timed (-v): printing a line per answer would cost the
 * throughput pass several percent on a busy machine.
 */
async function measureDns(options: DnsperfRunOptions, warmup: boolean): Promise<Measurement> {
  const throughput = await runDnsperf({ ...options, perAnswerLatency: false });
  if (warmup) return throughput;
  const rate = Math.max(1, Math.round(throughput.throughput / 2));
  const latency = await runDnsperf({
    ...options,
    durationSeconds: Math.max(2, Math.round(options.durationSeconds / 5)),
    maxQps: Math.min(options.maxQps ?? rate, rate),
    perAnswerLatency: true,
  }).catch(() => undefined);
  return {
    ...throughput,
    ...(latency?.latencyP50Ms !== undefined && { latencyP50Ms: latency.latencyP50Ms }),
    ...(latency?.latencyP99Ms !== undefined && { latencyP99Ms: latency.latencyP99Ms }),
  };
}

async function measureInside(
  kind: 'cpu' | 'memory',
  target: PlannedTarget,
  durationSeconds: number,
  env: NodeJS.ProcessEnv,
): Promise<Measurement> {
  const options = { durationSeconds, threads: 1 };
  if (target.kind === 'native') return runSysbench(kind, options, localRunner);
  const ssh = target.ssh;
  if (!ssh) throw new Error(`no guest channel to ${target.name}`);
  const privateKey = env[ssh.privateKeyEnv];
  const hostPublicKey = env[ssh.hostKeyEnv];
  if (!privateKey || !hostPublicKey) throw new Error(`the keys of ${target.name} are not in the environment`);
  const channel = await connectGuest({
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    privateKey,
    hostPublicKey,
  });
  try {
    return await runSysbench(kind, options, channel);
  } finally {
    channel.close();
  }
}

/** A DNS or HTTP server that answered nothing is down: a failed result, not a zero. */
function noAnswers(
  plan: RunPlan,
  target: PlannedTarget,
  endpoint: { host: string; port: number } | undefined,
  measurement: Measurement,
): Failure | undefined {
  if (measurement.throughput > 0 || (plan.type !== 'dns' && plan.type !== 'http')) return undefined;
  const where = target.url ?? (endpoint ? hostPort(endpoint) : target.name);
  return {
    reason: 'NoAnswers',
    message: `${where} answered nothing in ${plan.durationSeconds} s (${measurement.errors} ${plan.type === 'dns' ? 'queries lost' : 'errors'})`,
  };
}

function hostPort(endpoint: { host: string; port: number }): string {
  return endpoint.host.includes(':')
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  return [...items.slice(by), ...items.slice(0, by)];
}
