import type { Logger } from 'pino';
import { isNotFound, type KubeClient } from '../../kube/client.js';
import { applyStatus, sameStatus } from '../../kube/objects.js';
import { parseKey, type ResourceType } from '../../kube/resourcePath.js';
import { recordEvent } from '../../kube/events.js';
import { findCondition } from '../../kube/conditions.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../kube/finalizers.js';
import type { ReconcileResult } from '../../manager/controller.js';
import type { Informer } from '../../manager/informer.js';
import { VirtualHostResource, type GuestDomain, type VirtualHost } from '../../api/types.generated.js';
import { allocation } from './allocation.js';
import type { HostFacts } from '../../providers/libvirt/hostFacts.js';
import type { CredentialSource } from '../../providers/libvirt/virsh.js';
import { CredentialsError, credentialsFor } from './credentials.js';
import { desiredStatus, type HostObservation, type VirtualHostStatus } from './status.js';

export const CONTROLLER_NAME = 'virtualhost';
export const FINALIZER = 'servirt.dev/virtualhost';

export const VIRTUAL_HOSTS: ResourceType = VirtualHostResource;
export type { VirtualHost };

/** Keys of the Secrets a VirtualHost uses: a change to one of them reconciles the host again. */
export function secretReferences(host: VirtualHost): string[] {
  const libvirt = host.spec.libvirt;
  const names = [libvirt?.sshKeySecretRef?.name, libvirt?.tlsSecretRef?.name].filter(
    (name) => name !== undefined,
  );
  return names.map((name) => `${host.metadata.namespace}/${name}`);
}

/** Asks a libvirt host what it is. */
export interface HostProbe {
  probe(uri: string, credentials?: CredentialSource, credentialsId?: string): Promise<HostFacts>;
}

export interface VirtualHostDeps {
  client: KubeClient;
  informer: Informer<VirtualHost>;
  probe: HostProbe;
  /** Whether this cluster serves KubeVirt's API; the version it serves. */
  kubeVirtApi?: () => Promise<string | undefined>;
  /** The GuestDomains that run on a host (namespace/name key): what is allocated of it. */
  guestsOn?: (hostKey: string) => GuestDomain[];
  log: Logger;
  /** How often a host is checked again when nothing about its object changed. */
  recheckMs?: number;
  now?: () => string;
}

/** VirtualHost: observe the host -> desired status (pure) -> write status only when it differs. */
export function virtualHostReconciler(deps: VirtualHostDeps) {
  const recheckMs = deps.recheckMs ?? 60_000;
  const now = deps.now ?? (() => new Date().toISOString());
  return async (key: string): Promise<ReconcileResult> => {
    const host = deps.informer.get(key);
    if (!host) return {};
    const guests = deps.guestsOn?.(key) ?? [];
    // A host with guests keeps its finalizer until they are gone: deleting a guest needs its
    // host's connection to remove the domain and volumes (`kubectl delete -f` deletes both at once).
    if (host.metadata.deletionTimestamp) {
      if (guests.length > 0) return { requeueAfterMs: 5_000 };
      if (hasFinalizer(host, FINALIZER)) await removeFinalizer(deps.client, VIRTUAL_HOSTS, host, FINALIZER);
      return {};
    }
    if (guests.length > 0 && !hasFinalizer(host, FINALIZER))
      await addFinalizer(deps.client, VIRTUAL_HOSTS, host, FINALIZER);
    const observation =
      host.spec.provider === 'kubevirt'
        ? await observeKubeVirt(deps)
        : await observe(host, deps.probe, credentialsFor(deps.client, host));
    const status = desiredStatus(host.status, host.metadata.generation, observation, now());
    if (deps.guestsOn) status.allocated = allocation(deps.guestsOn(key));
    if (!sameStatus(status, host.status)) {
      await applyStatus(deps.client, VIRTUAL_HOSTS, CONTROLLER_NAME, parseKey(key), status);
      await noteReadyFlip(deps, host, status);
    }
    return { requeueAfterMs: Math.round(recheckMs * (0.9 + Math.random() * 0.2)) };
  };
}

async function observe(
  host: VirtualHost,
  probe: HostProbe,
  credentials?: CredentialSource,
): Promise<HostObservation> {
  const libvirt = host.spec.libvirt;
  if (host.spec.provider !== 'libvirt' || !libvirt) {
    return {
      kind: 'notSupported',
      reason: 'ProviderNotSupported',
      message: `provider ${host.spec.provider} is not supported yet`,
    };
  }
  try {
    return {
      kind: 'reached',
      facts: await probe.probe(
        libvirt.uri,
        credentials,
        `${host.metadata.namespace}/${libvirt.sshKeySecretRef?.name ?? libvirt.tlsSecretRef?.name ?? ''}`,
      ),
      declared: libvirt.hypervisor,
    };
  } catch (error) {
    if (error instanceof CredentialsError)
      return { kind: 'notSupported', reason: 'SecretInvalid', message: error.message };
    return { kind: 'unreachable', message: (error as Error).message };
  }
}

async function observeKubeVirt(deps: VirtualHostDeps): Promise<HostObservation> {
  try {
    const version = await (deps.kubeVirtApi ?? (() => kubeVirtApiVersion(deps.client)))();
    return version
      ? { kind: 'kubevirt', apiVersion: version }
      : {
          kind: 'unreachable',
          message: 'KubeVirt is not installed: the cluster serves no kubevirt.io/v1 API',
        };
  } catch (error) {
    return {
      kind: 'unreachable',
      message: `could not ask for the KubeVirt API: ${(error as Error).message}`,
    };
  }
}

/** kubevirt.io/v1 when the API server serves VirtualMachines there; undefined when KubeVirt is absent. */
export async function kubeVirtApiVersion(client: KubeClient): Promise<string | undefined> {
  const list = await client
    .request<{ resources?: { name: string }[] }>({ method: 'GET', path: '/apis/kubevirt.io/v1' })
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  return list?.resources?.some((r) => r.name === 'virtualmachines') ? 'kubevirt.io/v1' : undefined;
}

/** An Event when Ready flips between True and False (not when it is first set). */
async function noteReadyFlip(
  deps: VirtualHostDeps,
  host: VirtualHost,
  status: VirtualHostStatus,
): Promise<void> {
  const before = findCondition(host.status?.conditions, 'Ready');
  const after = findCondition(status.conditions, 'Ready');
  if (!before || !after || before.status === after.status) return;
  const failed = await recordEvent(deps.client, CONTROLLER_NAME, host, {
    type: after.status === 'True' ? 'Normal' : 'Warning',
    reason: after.reason,
    message: after.message,
  });
  if (failed) deps.log.warn({ err: failed }, 'could not record an event');
}
