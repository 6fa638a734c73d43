import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import type { Manager } from '../../manager/manager.js';
import type { Controller } from '../../manager/controller.js';
import { connectGuest } from '../../guest/channel.js';
import { LibvirtGuests } from '../../providers/libvirt/guests.js';
import { VIRTUAL_HOSTS } from '../virtualhost/reconciler.js';
import { credentialsFor } from '../virtualhost/credentials.js';
import { GuestProber } from './prober.js';
import { kubeVirtBackend } from './kubevirtBackend.js';
import { libvirtBackend } from './libvirtBackend.js';
import { CONTROLLER_NAME, GUEST_DOMAINS, guestDomainReconciler } from './reconciler.js';

export interface GuestDomainControllerOptions {
  concurrency?: number;
  shutdownGraceMs?: number;
}

/** Adds the GuestDomain controller: guests are reconciled when they or their VirtualHost change. */
export function registerGuestDomainController(
  manager: Manager,
  options: GuestDomainControllerOptions = {},
): Controller {
  const hypervisors = new Map<string, LibvirtGuests>();
  // One connection per host, URI, pool and credentials, shared by every guest on it.
  const hypervisorOf = (host: VirtualHost): LibvirtGuests => {
    const uri = host.spec.libvirt?.uri ?? '';
    const pool = host.spec.libvirt?.storagePool ?? 'default';
    const id = `${uri} ${pool} ${host.spec.libvirt?.sshKeySecretRef?.name ?? host.spec.libvirt?.tlsSecretRef?.name ?? ''}`;
    let hypervisor = hypervisors.get(id);
    if (!hypervisor) {
      hypervisor = new LibvirtGuests(uri, pool, credentialsFor(manager.client, host));
      hypervisors.set(id, hypervisor);
    }
    return hypervisor;
  };
  const shutdownRequested = new Map<string, number>();
  // The prober reports to the controller, which needs the reconciler, which needs the prober.
  const enqueueTo: { controller?: Controller } = {};
  const prober = new GuestProber(connectGuest, (key) => enqueueTo.controller?.enqueue(key));
  const reconcile = guestDomainReconciler({
    client: manager.client,
    guests: manager.informer<GuestDomain>(GUEST_DOMAINS),
    hosts: manager.informer<VirtualHost>(VIRTUAL_HOSTS),
    backendFor: (host) => {
      if (host.spec.provider === 'kubevirt') return kubeVirtBackend(manager.client, host);
      if (host.spec.provider !== 'libvirt' || !host.spec.libvirt) return undefined;
      return libvirtBackend(hypervisorOf(host), host, {
        shutdownGraceMs: options.shutdownGraceMs ?? 60_000,
        shutdownRequested,
      });
    },
    prober,
    log: manager.log.child({ controller: CONTROLLER_NAME }),
  });
  const controller = manager.controller(CONTROLLER_NAME, GUEST_DOMAINS, reconcile, {
    concurrency: options.concurrency ?? 2,
  });
  manager.watchReferences<GuestDomain>(GUEST_DOMAINS, VIRTUAL_HOSTS, controller, (guest) => [
    `${guest.metadata.namespace}/${guest.spec.virtualHostRef.name}`,
  ]);
  enqueueTo.controller = controller;
  return controller;
}
