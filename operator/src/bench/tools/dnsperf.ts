// dnsperf 2.10: arguments, its query file, its summary, and a run that turns the per-answer lines of
// -v (`> NOERROR www.example.com A 0.000212`) into latency percentiles as they stream in.
import type { Measurement } from '../measurement.js';
import { LatencyHistogram } from './latencyHistogram.js';
import { oneLineReason, runToolProcess, spawnTool, type SpawnFn } from './toolProcess.js';

export interface DnsperfOptions {
  server: string;
  port: number;
  queriesFile: string;
  durationSeconds: number;
  clients: number;
  threads: number;
  /** Queries per second to send at most; as fast as answers come when absent. */
  maxQps?: number;
  /** Seconds after which a query counts as lost. */
  timeoutSeconds: number;
  /** One line per answer (and per lost query) on stdout. */
  verbose: boolean;
}

export function dnsperfArgs(options: DnsperfOptions): string[] {
  return [
    ...['-s', options.server, '-p', String(options.port), '-d', options.queriesFile],
    ...['-l', String(options.durationSeconds), '-c', String(options.clients), '-T', String(options.threads)],
    ...(options.maxQps === undefined ? [] : ['-Q', String(options.maxQps)]),
    ...['-t', String(options.timeoutSeconds)],
    ...(options.verbose ? ['-v'] : []),
  ];
}

export interface DnsperfSummary {
  qps: number;
  sent: number;
  completed: number;
  lost: number;
  /** Answers per response code; empty when nothing answered. */
  responseCodes: Record<string, number>;
  latencyAvgMs: number;
}

/** Reads the final "Statistics:" block of dnsperf's output; throws if it is not there. */
export function parseDnsperfSummary(text: string): DnsperfSummary {
  const start = text.lastIndexOf('\nStatistics:');
  if (start === -1) throw new Error('dnsperf printed no statistics');
  const statistics = text.slice(start);
  const field = (label: string): string => {
    const at = statistics.indexOf(`\n  ${label}:`);
    if (at === -1) throw new Error(`dnsperf statistics without "${label}"`);
    const end = statistics.indexOf('\n', at + 1);
    return statistics.slice(at + label.length + 4, end === -1 ? undefined : end).trim();
  };
  const number = (label: string): number => {
    const value = parseFloat(field(label));
    if (!Number.isFinite(value)) throw new Error(`dnsperf statistics: "${label}" is not a number`);
    return value;
  };
  const responseCodes: Record<string, number> = {};
  // "NOERROR 500 (50.00%), NXDOMAIN 500 (50.00%)", or nothing.
  for (const entry of field('Response codes').split(', ')) {
    const [code, count] = entry.trim().split(/\s+/);
    if (code && count) responseCodes[code] = Number(count);
  }
  return {
    qps: number('Queries per second'),
    sent: number('Queries sent'),
    completed: number('Queries completed'),
    lost: number('Queries lost'),
    responseCodes,
    latencyAvgMs: number('Average Latency (s)') * 1000,
  };
}

const KEPT_OUTPUT = 64 * 1024;
const GREATER_THAN = 62;
const SPACE = 32;

/**
 * Takes dnsperf -v stdout in chunks as they come: answer lines go into the histogram and are
 * dropped, everything else is kept (its last 64 KiB) for parseDnsperfSummary.
 */
export class DnsperfOutputReader {
  readonly histogram = new LatencyHistogram();
  private partial = '';
  private kept = '';

  push(chunk: string): void {
    const text = this.partial ? this.partial + chunk : chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.line(text, start, end);
      start = end + 1;
    }
    this.partial = text.slice(start);
    if (this.partial.length > KEPT_OUTPUT) this.partial = this.partial.slice(-KEPT_OUTPUT);
  }

  /** The output other than answer lines; call once stdout has ended. */
  end(): string {
    if (this.partial) this.line(this.partial + '\n', 0, this.partial.length);
    this.partial = '';
    return this.kept;
  }

  private line(text: string, start: number, end: number): void {
    if (text.charCodeAt(start) === GREATER_THAN && text.charCodeAt(start + 1) === SPACE) {
      // The last field is the latency in seconds; lost queries ("> T name type") have none: NaN.
      const space = text.lastIndexOf(' ', end - 1);
      this.histogram.add(parseFloat(text.slice(space + 1, end)));
      return;
    }
    this.kept += text.slice(start, end + 1);
    if (this.kept.length > 2 * KEPT_OUTPUT) this.kept = this.kept.slice(-KEPT_OUTPUT);
  }
}

export type DnsperfRunOptions = Omit<DnsperfOptions, 'verbose'> & {
  /** Time every answer (-v) for p50/p99; printing a line per answer costs dnsperf throughput. Default true. */
  perAnswerLatency?: boolean;
};

/**
 * Runs dnsperf with -v and measures. Throws with dnsperf's own reason when it fails or prints no
 * statistics, and when not one query was answered (server down or unreachable): that run measured
 * nothing. Partial loss is a measurement, with errors = lost queries.
 */
export async function runDnsperf(
  options: DnsperfRunOptions,
  spawnFn: SpawnFn = spawnTool,
): Promise<Measurement> {
  const reader = new DnsperfOutputReader();
  const timeoutMs = (options.durationSeconds + options.timeoutSeconds + 30) * 1000;
  const { perAnswerLatency, ...dnsperfOptions } = options;
  const args = dnsperfArgs({ ...dnsperfOptions, verbose: perAnswerLatency ?? true });
  const exit = await runToolProcess(spawnFn, 'dnsperf', args, (chunk) => reader.push(chunk), timeoutMs);
  const output = reader.end();
  if (exit.code !== 0) {
    throw new Error(`dnsperf failed (exit code ${exit.code}): ${oneLineReason(exit.stderrTail, output)}`);
  }
  let summary: DnsperfSummary;
  try {
    summary = parseDnsperfSummary(output);
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${oneLineReason(exit.stderrTail, output)}`);
  }
  const target = `${options.server}:${options.port}`;
  if (summary.completed === 0) {
    throw new Error(
      `dnsperf got no answer from ${target}: all ${summary.sent} queries lost ` +
        `(timeout ${options.timeoutSeconds} s)`,
    );
  }
  const { histogram } = reader;
  return {
    throughput: summary.qps,
    latencyAvgMs: summary.latencyAvgMs,
    ...(histogram.count > 0 && {
      latencyP50Ms: histogram.percentile(50),
      latencyP99Ms: histogram.percentile(99),
    }),
    errors: summary.lost,
    responseCodes: summary.responseCodes,
  };
}

/**
 * dnsperf's query file for a zone's records: `www.example.com A`, one line per distinct name and
 * type. Names are `@` (the origin), relative to the origin, or absolute with a trailing dot.
 */
export function queriesFromRecords(
  origin: string,
  records: readonly { name: string; type: string }[],
): string {
  const zone = origin.replace(/\.$/, '');
  const lines = new Set<string>();
  for (const { name, type } of records) {
    const absolute =
      name === '@' ? zone : name.endsWith('.') ? name.slice(0, -1) : zone ? `${name}.${zone}` : name;
    lines.add(`${absolute || '.'} ${type.toUpperCase()}`);
  }
  return lines.size === 0 ? '' : [...lines].join('\n') + '\n';
}
