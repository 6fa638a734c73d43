import { setConditions, type ConditionUpdate } from '../../kube/conditions.js';
import type { HostFacts } from '../../providers/libvirt/hostFacts.js';
import type { VirtualHostLibvirt, VirtualHostStatus } from '../../api/types.generated.js';

export type { VirtualHostStatus };
export type DeclaredHypervisor = VirtualHostLibvirt['hypervisor'];

/** What the controller found out about the host in this reconcile. */
export type HostObservation =
  | { kind: 'reached'; facts: HostFacts; declared: DeclaredHypervisor }
  | { kind: 'unreachable'; message: string }
  | { kind: 'notSupported'; reason: string; message: string }
  /** The cluster serves KubeVirt's API (kubevirt.io/v1 VirtualMachines). */
  | { kind: 'kubevirt'; apiVersion: string };

/** Which libvirt drivers can run guests of each declared hypervisor; the test driver stands in for any. */
const DRIVERS: Record<DeclaredHypervisor, string[]> = {
  kvm: ['QEMU', 'TEST'],
  qemu: ['QEMU', 'TEST'],
  xen: ['XEN', 'TEST'],
};

/** The status a VirtualHost should have, given what was observed. Pure. */
export function desiredStatus(
  previous: VirtualHostStatus | undefined,
  generation: number | undefined,
  observation: HostObservation,
  now: string,
): VirtualHostStatus {
  const at = (update: Omit<ConditionUpdate, 'observedGeneration'>): ConditionUpdate =>
    generation === undefined ? update : { ...update, observedGeneration: generation };
  const base = generation === undefined ? {} : { observedGeneration: generation };

  if (observation.kind === 'notSupported') {
    const update = { status: 'False' as const, reason: observation.reason, message: observation.message };
    return {
      ...base,
      reachable: false,
      conditions: setConditions(
        previous?.conditions,
        [at({ type: 'Reachable', ...update }), at({ type: 'Ready', ...update })],
        now,
      ),
    };
  }
  if (observation.kind === 'kubevirt') {
    return {
      ...base,
      reachable: true,
      hypervisorType: 'KubeVirt',
      hypervisorVersion: observation.apiVersion,
      conditions: setConditions(
        previous?.conditions,
        [
          at({
            type: 'Reachable',
            status: 'True',
            reason: 'Connected',
            message: 'the KubeVirt API answered',
          }),
          at({
            type: 'Ready',
            status: 'True',
            reason: 'Reachable',
            message: `KubeVirt (${observation.apiVersion} VirtualMachines) in this cluster`,
          }),
        ],
        now,
      ),
    };
  }
  if (observation.kind === 'unreachable') {
    const update = { status: 'False' as const, reason: 'Unreachable', message: observation.message };
    return {
      ...base,
      reachable: false,
      // What was learnt of the host while it answered stays useful while it does not.
      ...pick(previous),
      conditions: setConditions(
        previous?.conditions,
        [at({ type: 'Reachable', ...update }), at({ type: 'Ready', ...update })],
        now,
      ),
    };
  }
  const { facts, declared } = observation;
  const matches = DRIVERS[declared].includes(facts.hypervisorType.toUpperCase());
  const ready: ConditionUpdate = matches
    ? at({
        type: 'Ready',
        status: 'True',
        reason: 'Reachable',
        message: `${facts.hypervisorType} ${facts.hypervisorVersion} via libvirt ${facts.libvirtVersion}`,
      })
    : at({
        type: 'Ready',
        status: 'False',
        reason: 'HypervisorMismatch',
        message: `spec.libvirt.hypervisor is ${declared} but the host runs ${facts.hypervisorType}`,
      });
  return {
    ...base,
    reachable: true,
    hypervisorType: facts.hypervisorType,
    hypervisorVersion: facts.hypervisorVersion,
    libvirtVersion: facts.libvirtVersion,
    capacity: { cpus: facts.cpus, memoryMiB: facts.memoryMiB },
    conditions: setConditions(
      previous?.conditions,
      [at({ type: 'Reachable', status: 'True', reason: 'Connected', message: 'libvirt answered' }), ready],
      now,
    ),
  };
}

function pick(previous: VirtualHostStatus | undefined): Partial<VirtualHostStatus> {
  if (!previous) return {};
  const { hypervisorType, hypervisorVersion, libvirtVersion, capacity } = previous;
  return Object.fromEntries(
    Object.entries({ hypervisorType, hypervisorVersion, libvirtVersion, capacity }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}
