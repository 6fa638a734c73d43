import { createHash } from 'node:crypto';

/** A run's id from its start time: 20261127-140512 (UTC), sortable, valid in object names. */
export function runIdFor(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** Job names stay within 63 characters (they become a pod label): long benchmark names are cut and hashed. */
function prefix(benchmark: string, room: number): string {
  if (benchmark.length <= room) return benchmark;
  const hash = createHash('sha256').update(benchmark).digest('hex').slice(0, 6);
  return `${benchmark.slice(0, room - 7).replace(/-+$/, '')}-${hash}`;
}

export const jobName = (benchmark: string, runId: string, repeat: number) =>
  `${prefix(benchmark, 63 - runId.length - String(repeat).length - 2)}-${runId}-${repeat}`;
export const resultConfigMapName = (job: string) => `${job}-result`;
export const inputConfigMapName = (benchmark: string, runId: string) => `${benchmark}-${runId}-input`;
export const runnerName = (benchmark: string) => `${benchmark}-runner`;
export const reportConfigMapName = (benchmark: string) => `${benchmark}-report`;
export const reportPath = (namespace: string, name: string) => `/benchmarks/${namespace}/${name}`;
