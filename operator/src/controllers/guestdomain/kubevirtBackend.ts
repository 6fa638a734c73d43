// A GuestDomain on a KubeVirt VirtualHost: its cloud-init Secret and VirtualMachine in the host's
// target namespace, status from the VirtualMachine and its VirtualMachineInstance, the guest
// reached at the instance's address.
import { createHash } from 'node:crypto';
import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { apacheFirstBootFiles } from '../../guest/apache/firstBoot.js';
import { bindFirstBootFiles } from '../../guest/bind/firstBoot.js';
import { mergeRoleConfigs, noCloudSeed } from '../../guest/cloudInit.js';
import { isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import { apply } from '../../kube/objects.js';
import { resourcePath, SECRETS, type ResourceType } from '../../kube/resourcePath.js';
import { observeKubeVirt, type KubeVirtObservation } from '../../providers/kubevirt/observe.js';
import type { VirtualMachine, VirtualMachineInstance } from '../../providers/kubevirt/types.js';
import { VIRTUAL_MACHINE_INSTANCES, VIRTUAL_MACHINES } from '../../providers/kubevirt/resources.js';
import {
  cloudInitSecret,
  desiredVirtualMachine,
  kubeVirtMac,
  kubeVirtNames,
} from '../../providers/kubevirt/virtualMachine.js';
import { addressEndpoints } from '../../guest/access/endpoints.js';
import type { GuestKeys } from '../../guest/access/sshKeys.js';
import type { GuestBackend } from './backend.js';

const SPEC_HASH = 'servirt.dev/spec-hash';
const FIELD_MANAGER = 'guestdomain';

export function kubeVirtBackend(client: KubeClient, host: VirtualHost): GuestBackend {
  return {
    unsuitable(guest) {
      const declared = guest.spec.virtualHostRef.hypervisor;
      if (declared && declared !== 'kvm')
        return {
          reason: 'HypervisorMismatch',
          message: `virtualHostRef.hypervisor is ${declared} but KubeVirt VirtualHost ${host.metadata.name} runs kvm`,
        };
      return undefined;
    },
    async ensure(guest, keys) {
      const step = await applyKubeVirtGuest(client, guest, host, keys);
      const names = kubeVirtNames(guest, host);
      const observation = step.observation;
      return {
        ...(observation && {
          domain: observation.domain,
          addresses: observation.addresses.map((a) => ({ ...a, source: 'KubeVirt' as const })),
        }),
        ...(step.failure && { failure: step.failure }),
        startedNow: step.created,
        notes: step.created
          ? [
              {
                type: 'Normal',
                reason: 'Created',
                message: `created VirtualMachine ${names.namespace}/${names.vm}`,
              },
            ]
          : [],
        reportedBy: 'KubeVirt',
        notRunningMessage: observation?.message ?? 'the VirtualMachine does not exist yet',
      };
    },
    // Owner references would do it where a garbage collector runs; the finalizer makes sure.
    remove: (guest) => removeKubeVirtGuest(client, guest, host),
    reach(_guest, step) {
      const addresses = step.addresses ?? [];
      return {
        addresses,
        endpoints: addressEndpoints(addresses[0]?.address),
        noSshBecause: 'the VirtualMachineInstance reports no address yet',
      };
    },
  };
}

interface KubeVirtStep {
  observation?: KubeVirtObservation;
  failure?: { reason: string; message: string };
  created: boolean;
}

/** Secret and VirtualMachine as desired (written only when missing or changed); what KubeVirt reports. */
async function applyKubeVirtGuest(
  client: KubeClient,
  guest: GuestDomain,
  host: VirtualHost,
  keys: GuestKeys,
): Promise<KubeVirtStep> {
  const names = kubeVirtNames(guest, host);
  const plan = desiredVirtualMachine(guest, host, names);
  if (plan.kind === 'invalid')
    return { failure: { reason: plan.reason, message: plan.message }, created: false };
  const hash = createHash('sha256').update(JSON.stringify(plan.vm.spec)).digest('hex').slice(0, 16);
  const desired: VirtualMachine = {
    ...plan.vm,
    metadata: { ...plan.vm.metadata, annotations: { [SPEC_HASH]: hash } },
  };
  let vm = await get<VirtualMachine>(client, VIRTUAL_MACHINES, names.namespace, names.vm);
  let created = false;
  if (!vm) {
    vm = await create<VirtualMachine>(client, VIRTUAL_MACHINES, desired);
    created = true;
  } else if (vm.metadata?.annotations?.[SPEC_HASH] !== hash) {
    vm = await apply<VirtualMachine>(client, VIRTUAL_MACHINES, FIELD_MANAGER, desired as never);
  }
  const vmi = await get<VirtualMachineInstance>(client, VIRTUAL_MACHINE_INSTANCES, names.namespace, names.vm);
  const observation = observeKubeVirt(vm, vmi);
  // The Secret belongs to the VirtualMachine, so it goes with it wherever the VirtualMachine lives.
  // Until the guest runs, make sure it is there (a crash may have come between the two).
  if (
    observation.domain.state !== 'running' &&
    !(await get(client, SECRETS, names.namespace, names.cloudInitSecret))
  )
    await createSecret(client, cloudInitSecret(guest, names, seedFor(guest, keys), vm));
  return { observation, created, ...(observation.failure && { failure: observation.failure }) };
}

/**
 * Deletes the VirtualMachine (its Secret follows through its owner reference, collected by the
 * cluster's garbage collector); true once the VirtualMachine is gone.
 */
async function removeKubeVirtGuest(
  client: KubeClient,
  guest: GuestDomain,
  host: VirtualHost,
): Promise<boolean> {
  const names = kubeVirtNames(guest, host);
  await remove(client, VIRTUAL_MACHINES, names.namespace, names.vm);
  return (await get(client, VIRTUAL_MACHINES, names.namespace, names.vm)) === undefined;
}

function seedFor(guest: GuestDomain, keys: GuestKeys) {
  const ipv4 = guest.spec.network?.ipv4;
  // Every guest gets named's and Apache's base configuration, as on libvirt.
  return noCloudSeed(
    {
      instanceId: guest.metadata.uid ?? guest.metadata.name ?? '',
      hostname: guest.metadata.name ?? 'guest',
      hostKey: { private: keys.hostPrivate, public: keys.hostPublic },
      authorizedKeys: [keys.clientPublic],
      ...(ipv4 && { staticIpv4: { ...ipv4, mac: kubeVirtMac(guest) ?? '' } }),
    },
    mergeRoleConfigs(bindFirstBootFiles(), apacheFirstBootFiles()),
  );
}

async function get<T>(
  client: KubeClient,
  type: ResourceType,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  return client
    .request<T>({ method: 'GET', path: resourcePath(type, { namespace, name }) })
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
}

async function create<T>(
  client: KubeClient,
  type: ResourceType,
  object: { metadata?: { namespace?: string; name?: string } },
): Promise<T> {
  const namespace = object.metadata?.namespace;
  try {
    return await client.request<T>({ method: 'POST', path: resourcePath(type, { namespace }), body: object });
  } catch (error) {
    // Another reconcile (or a crashed one) made it first: use what is there.
    if (isConflict(error))
      return (await get<T>(client, type, namespace ?? '', object.metadata?.name ?? '')) as T;
    throw error;
  }
}

async function createSecret(client: KubeClient, secret: ReturnType<typeof cloudInitSecret>): Promise<void> {
  await create(client, SECRETS, secret);
}

async function remove(
  client: KubeClient,
  type: ResourceType,
  namespace: string,
  name: string,
): Promise<void> {
  await client
    .request({
      method: 'DELETE',
      path: resourcePath(type, { namespace, name }),
      query: { propagationPolicy: 'Background' },
    })
    .catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
}
