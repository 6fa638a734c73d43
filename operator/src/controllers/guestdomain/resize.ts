// Following a GuestDomain's vcpus and memoryMiB on a defined domain: the persistent definition
// always, the running domain where libvirt allows it (within its maximums), else at the next restart.
import type { DomainSizing } from '../../providers/libvirt/sizing.js';

export interface Size {
  vcpus: number;
  memoryMiB: number;
}

/** One virsh change: `setvcpus`/`setmem` of the definition (config) or of the running domain (live). */
export type ResizeStep =
  | { kind: 'vcpus' | 'maxVcpus' | 'memory' | 'maxMemory'; scope: 'config'; value: number }
  | { kind: 'vcpus' | 'memory'; scope: 'live'; value: number };

export interface ResizePlan {
  steps: ResizeStep[];
  /** What waits for a restart, when the running domain cannot take it live. */
  pendingRestart?: string;
}

/** The changes that bring a domain to the desired size. Pure. */
export function resizePlan(desired: Size, config: DomainSizing, live?: DomainSizing): ResizePlan {
  const steps: ResizeStep[] = [];
  // The maximum first when growing, last when shrinking: current may never exceed it.
  if (desired.vcpus !== config.maxVcpus || desired.vcpus !== config.vcpus) {
    const grow = desired.vcpus > config.maxVcpus;
    const maximum: ResizeStep = { kind: 'maxVcpus', scope: 'config', value: desired.vcpus };
    const current: ResizeStep = { kind: 'vcpus', scope: 'config', value: desired.vcpus };
    steps.push(...(grow ? [maximum, current] : [current, maximum]));
  }
  if (desired.memoryMiB !== config.maxMemoryMiB || desired.memoryMiB !== config.memoryMiB) {
    const grow = desired.memoryMiB > config.maxMemoryMiB;
    const maximum: ResizeStep = { kind: 'maxMemory', scope: 'config', value: desired.memoryMiB };
    const current: ResizeStep = { kind: 'memory', scope: 'config', value: desired.memoryMiB };
    steps.push(...(grow ? [maximum, current] : [current, maximum]));
  }
  if (!live) return { steps };
  const waiting: string[] = [];
  if (desired.vcpus !== live.vcpus) {
    if (desired.vcpus <= live.maxVcpus) steps.push({ kind: 'vcpus', scope: 'live', value: desired.vcpus });
    else waiting.push(`vcpus ${live.vcpus} → ${desired.vcpus}`);
  }
  if (desired.memoryMiB !== live.memoryMiB) {
    if (desired.memoryMiB <= live.maxMemoryMiB)
      steps.push({ kind: 'memory', scope: 'live', value: desired.memoryMiB });
    else waiting.push(`memory ${live.memoryMiB} → ${desired.memoryMiB} MiB`);
  }
  return { steps, ...(waiting.length > 0 && { pendingRestart: waiting.join(', ') }) };
}
