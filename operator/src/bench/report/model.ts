/** What a Benchmark report shows: the runs kept in the Benchmark's status, newest first. */

/** One target's result in one run. */
export interface ReportTargetResult {
  target: string;
  /** guestDomain | native | address | url */
  kind: string;
  failed?: { reason: string; message: string };
  throughput?: number;
  /** 'queries/s' | 'requests/s' | 'events/s' | 'MiB/s' */
  unit: string;
  latencyAvgMs?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  errors?: number;
  ratioToBaseline?: number;
  relativeStdDev?: number;
  samples?: number;
  /** The first (warm-up) run, reported apart. */
  warmupThroughput?: number;
}

export interface ReportRun {
  id: string;
  phase: string;
  startTime?: string;
  completionTime?: string;
  message?: string;
  results: ReportTargetResult[];
}

export interface ReportInput {
  namespace: string;
  name: string;
  type: 'dns' | 'http' | 'cpu' | 'memory';
  baseline?: string;
  generatedAt: string;
  /** Newest first. */
  runs: ReportRun[];
}
