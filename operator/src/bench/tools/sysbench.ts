// sysbench 1.0: cpu and memory scores, run through a CommandRunner (a guest, or this machine).
import type { CommandRunner, Measurement } from '../measurement.js';
import { oneLineReason } from './toolProcess.js';

export type SysbenchKind = 'cpu' | 'memory';

export interface SysbenchOptions {
  durationSeconds: number;
  threads: number;
}

/** The arguments after `sysbench`; latency percentile 99 instead of sysbench's default 95. */
export function sysbenchArgs(kind: SysbenchKind, options: SysbenchOptions): string[] {
  return [
    kind,
    // Memory: write 1 MiB blocks until the time is up (the total is out of reach).
    ...(kind === 'memory' ? ['--memory-block-size=1M', '--memory-total-size=100T'] : []),
    `--time=${options.durationSeconds}`,
    `--threads=${options.threads}`,
    '--percentile=99',
    'run',
  ];
}

const SCORE: Record<SysbenchKind, { pattern: RegExp; unit: string }> = {
  cpu: { pattern: /^\s*events per second:\s+([\d.]+)/m, unit: 'events/s' },
  memory: { pattern: /MiB transferred \(([\d.]+) MiB\/sec\)/, unit: 'MiB/s' },
};

/** Reads sysbench's report: the score, and the latency of one event (avg; p99 with --percentile=99). */
export function parseSysbench(kind: SysbenchKind, text: string): Measurement {
  const score = SCORE[kind].pattern.exec(text);
  if (!score) throw new Error(`sysbench ${kind} printed no score`);
  const measurement: Measurement = {
    throughput: Number(score[1]),
    scoreUnit: SCORE[kind].unit,
    errors: 0,
  };
  const latencyAt = text.indexOf('Latency (ms):');
  if (latencyAt !== -1) {
    const latency = text.slice(latencyAt);
    const average = /^\s*avg:\s+([\d.]+)/m.exec(latency);
    const p99 = /^\s*99th percentile:\s+([\d.]+)/m.exec(latency);
    if (average) measurement.latencyAvgMs = Number(average[1]);
    if (p99) measurement.latencyP99Ms = Number(p99[1]);
  }
  return measurement;
}

/** Runs `sysbench <kind>` through the runner; throws with sysbench's reason when it fails. */
export async function runSysbench(
  kind: SysbenchKind,
  options: SysbenchOptions,
  runner: CommandRunner,
): Promise<Measurement> {
  const result = await runner.run(['sysbench', ...sysbenchArgs(kind, options)], {
    timeoutMs: (options.durationSeconds + 60) * 1000,
  });
  if (result.code !== 0) {
    throw new Error(
      `sysbench ${kind} failed (exit code ${result.code}): ${oneLineReason(result.stderr, result.stdout)}`,
    );
  }
  try {
    return parseSysbench(kind, result.stdout);
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${oneLineReason(result.stderr, result.stdout)}`);
  }
}
