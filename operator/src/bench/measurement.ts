import type { GuestChannel } from '../guest/channel.js';

/** What one tool run against one target measured (dnsperf, wrk or sysbench). */
export interface Measurement {
  /** Queries/s (dns), requests/s (http) or the score (cpu: events/s, memory: MiB/s). */
  throughput: number;
  /** cpu and memory: the unit of throughput. */
  scoreUnit?: string;
  latencyAvgMs?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  /** Lost queries, failed requests (socket errors, timeouts) and non-2xx/3xx answers. */
  errors: number;
  /** dns: answers per response code, e.g. { NOERROR: 1000, NXDOMAIN: 2 }. */
  responseCodes?: Record<string, number>;
}

/** Somewhere to run a command: a guest over the guest channel, or this machine (localRunner). */
export type CommandRunner = Pick<GuestChannel, 'run'>;
