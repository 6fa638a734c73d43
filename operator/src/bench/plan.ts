// The contract between the Benchmark controller and the runner in its Jobs: the controller writes
// a RunPlan into the Job's environment (SERVIRT_BENCH_PLAN); the runner writes a RepeatResult into
// the result ConfigMap the plan names.
import type { Measurement } from './measurement.js';

export type BenchmarkType = 'dns' | 'http' | 'cpu' | 'memory';
export type TargetKind = 'guestDomain' | 'native' | 'address' | 'url';

export interface Failure {
  reason: string;
  message: string;
}

export interface PlannedTarget {
  name: string;
  kind: TargetKind;
  /** dns and http on guestDomain and address targets: where the server answers. */
  endpoint?: { host: string; port: number };
  /** http: the URL to load (url targets, and guestDomain/address targets with the path). */
  url?: string;
  /** cpu and memory on guestDomain targets: the guest channel; keys come from the environment variables named. */
  ssh?: { host: string; port: number; username: string; privateKeyEnv: string; hostKeyEnv: string };
  /** Known before the Job starts: the target cannot be measured (a guest not ready, say). */
  unavailable?: Failure;
}

export interface RunPlan {
  benchmark: { namespace: string; name: string; uid: string };
  runId: string;
  /** 1-based: which of the run's repeats this Job measures. */
  repeat: number;
  type: BenchmarkType;
  durationSeconds: number;
  /** Seconds of unrecorded warm-up per target before measuring; 0 for none. */
  warmupSeconds: number;
  targets: PlannedTarget[];
  dns?: {
    clients: number;
    threads: number;
    maxQps?: number;
    timeoutSeconds: number;
    /** The zone a native target serves (zone.db of the input ConfigMap). */
    origin?: string;
  };
  http?: { path: string; hostHeader?: string; connections: number; threads: number };
  /** ConfigMap with queries.txt (dns), zone.db (dns, native) and site files (http, native). */
  inputConfigMap: string;
  resultConfigMap: string;
}

export interface TargetOutcome {
  target: string;
  measurement?: Measurement;
  warmup?: Measurement;
  failed?: Failure;
}

export interface RepeatResult {
  runId: string;
  repeat: number;
  startTime: string;
  completionTime: string;
  outcomes: TargetOutcome[];
}

export const PLAN_ENV = 'SERVIRT_BENCH_PLAN';
export const RESULT_KEY = 'result.json';
export const QUERIES_KEY = 'queries.txt';
export const ZONE_KEY = 'zone.db';
/** Labels on every Job and ConfigMap of a Benchmark. */
export const BENCHMARK_LABEL = 'servirt.dev/benchmark';
export const RUN_LABEL = 'servirt.dev/run';
export const ROLE_LABEL = 'servirt.dev/benchmark-role';
