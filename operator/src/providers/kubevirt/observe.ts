// What a VirtualMachine and its VirtualMachineInstance say about a guest, in the terms the
// GuestDomain status uses. Pure.
import type { DomainObservation } from '../libvirt/guests.js';
import type { VirtualMachine, VirtualMachineInstance } from './types.js';

export interface KubeVirtObservation {
  domain: DomainObservation;
  /** The guest's own addresses (status.interfaces), for GuestDomain status.addresses and SSH. */
  addresses: { type: 'InternalIP'; address: string }[];
  /** What KubeVirt says, for the Running condition's message. */
  message: string;
  /** KubeVirt gave up on the guest (cannot schedule, image pull failed, …). */
  failure?: { reason: string; message: string };
}

const FAILED_STATUSES = new Set([
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'ErrorDataVolumeNotFound',
  'DataVolumeError',
  'CrashLoopBackOff',
]);

export function observeKubeVirt(
  vm: VirtualMachine,
  vmi: VirtualMachineInstance | undefined,
): KubeVirtObservation {
  const printable = vm.status?.printableStatus ?? 'Provisioning';
  const phase = vmi?.status?.phase;
  const running = phase === 'Running';
  const state: DomainObservation['state'] = running
    ? 'running'
    : printable === 'Stopped' || phase === 'Succeeded' || phase === 'Failed'
      ? 'shutoff'
      : 'other';
  const addresses = running
    ? [
        ...new Set(
          (vmi?.status?.interfaces ?? []).flatMap((i) => [
            ...(i.ipAddress ? [i.ipAddress] : []),
            ...(i.ipAddresses ?? []),
          ]),
        ),
      ].map((address) => ({ type: 'InternalIP' as const, address }))
    : [];
  const failed = FAILED_STATUSES.has(printable);
  const notReady = vm.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  return {
    domain: { name: vm.metadata?.name ?? '', uuid: vmi?.metadata?.uid ?? vm.metadata?.uid ?? '', state },
    addresses,
    message: `KubeVirt reports the VirtualMachine ${printable}${phase ? `, its instance ${phase}` : ''}`,
    ...(failed && {
      failure: { reason: printable, message: notReady?.message || `KubeVirt reports ${printable}` },
    }),
  };
}
