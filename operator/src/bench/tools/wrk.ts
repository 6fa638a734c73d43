// wrk 4.1: arguments, its report (with --latency) and a run.
import type { Measurement } from '../measurement.js';
import { oneLineReason, runToolProcess, spawnTool, type SpawnFn } from './toolProcess.js';

export interface WrkOptions {
  url: string;
  /** Sent as the Host header, for a name-based virtual host reached by address. */
  hostHeader?: string;
  connections: number;
  threads: number;
  durationSeconds: number;
  /** Seconds after which a request counts as timed out; wrk's default is 2. */
  timeoutSeconds?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 2;
const MAX_OUTPUT = 1024 * 1024;

export function wrkArgs(options: WrkOptions): string[] {
  return [
    '--latency',
    ...['-c', String(options.connections), '-t', String(options.threads)],
    ...['-d', `${options.durationSeconds}s`],
    ...(options.timeoutSeconds === undefined ? [] : ['--timeout', `${options.timeoutSeconds}s`]),
    ...(options.hostHeader === undefined ? [] : ['-H', `Host: ${options.hostHeader}`]),
    options.url,
  ];
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A wrk duration such as `542.00us`, `3.91ms` or `1.20s`, in ms. */
function durationMs(value: string | undefined): number | undefined {
  const [, amount, unit] = (value === undefined ? null : /^([\d.]+)(us|ms|s|m|h)$/.exec(value)) ?? [];
  const scale = unit === undefined ? undefined : MS_PER_UNIT[unit];
  return scale === undefined ? undefined : Number(amount) * scale;
}

/** The requests completed (any status), from "2671 requests in 2.01s, 495.60KB read". */
export function wrkRequests(text: string): number | undefined {
  const match = /^\s*(\d+) requests in /m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Reads wrk's report. Errors are socket errors (connect, read, write, timeout) plus non-2xx/3xx
 * responses; latencies are left out when no request completed (wrk prints 0.00us then).
 */
export function parseWrkOutput(text: string): Measurement {
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!rate) throw new Error('wrk printed no "Requests/sec"');
  const socketErrors = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/m.exec(text);
  const non2xx3xx = /^\s*Non-2xx or 3xx responses: (\d+)/m.exec(text);
  const errors =
    (socketErrors ? socketErrors.slice(1, 5).reduce((sum, count) => sum + Number(count), 0) : 0) +
    (non2xx3xx ? Number(non2xx3xx[1]) : 0);
  const measurement: Measurement = { throughput: Number(rate[1]), errors };
  if (wrkRequests(text) === 0) return measurement;
  const distributionAt = text.indexOf('Latency Distribution');
  const stats = distributionAt === -1 ? text : text.slice(0, distributionAt);
  const distribution = distributionAt === -1 ? '' : text.slice(distributionAt);
  const average = durationMs(/^\s*Latency\s+(\S+)/m.exec(stats)?.[1]);
  const p50 = durationMs(/^\s*50%\s+(\S+)/m.exec(distribution)?.[1]);
  const p99 = durationMs(/^\s*99%\s+(\S+)/m.exec(distribution)?.[1]);
  if (average !== undefined) measurement.latencyAvgMs = average;
  if (p50 !== undefined) measurement.latencyP50Ms = p50;
  if (p99 !== undefined) measurement.latencyP99Ms = p99;
  return measurement;
}

/**
 * Runs wrk and measures. Throws with wrk's reason when it fails (nothing listens: "unable to
 * connect to 127.0.0.1:5499 Connection refused") and when no request completed in the whole run.
 */
export async function runWrk(options: WrkOptions, spawnFn: SpawnFn = spawnTool): Promise<Measurement> {
  let output = '';
  const timeoutMs =
    (options.durationSeconds + (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) + 30) * 1000;
  const exit = await runToolProcess(
    spawnFn,
    'wrk',
    wrkArgs(options),
    (chunk) => {
      if (output.length < MAX_OUTPUT) output += chunk;
    },
    timeoutMs,
  );
  if (exit.code !== 0) {
    throw new Error(`wrk failed (exit code ${exit.code}): ${oneLineReason(exit.stderrTail, output)}`);
  }
  let measurement: Measurement;
  try {
    measurement = parseWrkOutput(output);
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${oneLineReason(exit.stderrTail, output)}`);
  }
  if (wrkRequests(output) === 0) {
    const socketErrors = /Socket errors: .*/.exec(output)?.[0];
    throw new Error(
      `wrk got no response from ${options.url} in ${options.durationSeconds} s` +
        (socketErrors ? ` (${socketErrors})` : ''),
    );
  }
  return measurement;
}
