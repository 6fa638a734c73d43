// A GuestDomain as a KubeVirt VirtualMachine, and its cloud-init Secret. Pure.
import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import type { NoCloudSeed } from '../../guest/cloudInit.js';
import { stableMac } from '../libvirt/domainXml.js';
import type { VirtualMachine } from './types.js';

export const GUEST_LABEL = 'servirt.dev/guestdomain';
export const VM_NAME_LABEL = 'kubevirt.io/vm';
/** KubeVirt reads user and network data from these keys of the Secrets it is given. */
export const USER_DATA_KEY = 'userdata';
export const NETWORK_DATA_KEY = 'networkdata';

export interface KubeVirtNames {
  namespace: string;
  vm: string;
  cloudInitSecret: string;
}

/** Where a guest's VirtualMachine lives: the host's target namespace (default: the guest's own). */
export function kubeVirtNames(guest: GuestDomain, host: VirtualHost): KubeVirtNames {
  const guestNamespace = guest.metadata.namespace ?? '';
  const namespace = host.spec.kubevirt?.namespace ?? guestNamespace;
  const name = guest.metadata.name ?? '';
  // VirtualMachines of several namespaces' guests share a target namespace: their names must not clash.
  const vm =
    namespace === guestNamespace ? name : `${guestNamespace}-${name}`.slice(0, 63).replace(/-+$/, '');
  return { namespace, vm, cloudInitSecret: `${vm}-cloudinit` };
}

/**
 * The MAC of the guest's interface: the declared one, or for a static address one derived from
 * the uid (the seed names the NIC by MAC); otherwise KubeVirt picks.
 */
export function kubeVirtMac(guest: GuestDomain): string | undefined {
  const network = guest.spec.network;
  return network?.macAddress ?? (network?.ipv4 ? stableMac(guest.metadata.uid ?? '', 'kvm') : undefined);
}

export type VirtualMachinePlan =
  { kind: 'valid'; vm: VirtualMachine } | { kind: 'invalid'; reason: string; message: string };

/** Owner references work within a namespace only: a VirtualMachine elsewhere is removed by the finalizer. */
export function guestOwnerReference(guest: GuestDomain, names: KubeVirtNames) {
  if (names.namespace !== guest.metadata.namespace) return [];
  return [
    {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'GuestDomain',
      name: guest.metadata.name ?? '',
      uid: guest.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

export function desiredVirtualMachine(
  guest: GuestDomain,
  host: VirtualHost,
  names: KubeVirtNames,
): VirtualMachinePlan {
  const network = guest.spec.network;
  if (network?.mode === 'user')
    return {
      kind: 'invalid',
      reason: 'NetworkModeNotSupported',
      message:
        'network mode user (QEMU user-mode networking) exists only on libvirt hosts; use default (the pod network) or bridge',
    };
  if ((guest.spec.virtualization ?? 'hvm') !== 'hvm')
    return { kind: 'invalid', reason: 'PlatformNotSupported', message: 'KubeVirt runs hvm guests only' };
  const memory = `${guest.spec.memoryMiB}Mi`;
  const bridged = network?.mode === 'bridge';
  const mac = kubeVirtMac(guest);
  const labels = { [GUEST_LABEL]: guest.metadata.name ?? '', [VM_NAME_LABEL]: names.vm };
  const nodeSelector = host.spec.kubevirt?.nodeSelector;
  const vm: VirtualMachine = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: {
      name: names.vm,
      namespace: names.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'servirt', [GUEST_LABEL]: guest.metadata.name ?? '' },
      ownerReferences: guestOwnerReference(guest, names),
    },
    spec: {
      runStrategy: guest.spec.runStrategy === 'Halted' ? 'Halted' : 'Always',
      template: {
        metadata: { labels },
        spec: {
          domain: {
            cpu: { cores: guest.spec.vcpus },
            memory: { guest: memory },
            resources: { requests: { memory } },
            devices: {
              disks: [
                { name: 'rootdisk', disk: { bus: 'virtio' } },
                { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
              ],
              interfaces: [
                {
                  name: 'default',
                  ...(bridged ? { bridge: {} } : { masquerade: {} }),
                  ...(mac && { macAddress: mac }),
                },
              ],
              rng: {},
            },
          },
          networks: [
            bridged
              ? { name: 'default', multus: { networkName: network?.source ?? '' } }
              : { name: 'default', pod: {} },
          ],
          ...(nodeSelector && Object.keys(nodeSelector).length > 0 && { nodeSelector }),
          terminationGracePeriodSeconds: 60,
          volumes: [
            { name: 'rootdisk', containerDisk: { image: guest.spec.disk.baseImage } },
            {
              name: 'cloudinitdisk',
              cloudInitNoCloud: {
                secretRef: { name: names.cloudInitSecret },
                networkDataSecretRef: { name: names.cloudInitSecret },
              },
            },
          ],
        },
      },
    },
  };
  return { kind: 'valid', vm };
}

/** The cloud-init Secret the VirtualMachine reads (user data is far over KubeVirt's 2048-byte inline limit). */
export function cloudInitSecret(
  guest: GuestDomain,
  names: KubeVirtNames,
  seed: NoCloudSeed,
  vm: VirtualMachine,
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: names.cloudInitSecret,
      namespace: names.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'servirt', [GUEST_LABEL]: guest.metadata.name ?? '' },
      ownerReferences: [
        {
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachine',
          name: names.vm,
          uid: vm.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    stringData: { [USER_DATA_KEY]: seed['user-data'], [NETWORK_DATA_KEY]: seed['network-config'] },
  };
}
