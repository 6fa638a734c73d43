import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import type { Manager } from '../../manager/manager.js';
import type { Controller } from '../../manager/controller.js';
import { connectGuest } from '../../guest/channel.js';
import { LibvirtGuests } from '../../providers/libvirt/guests.js';
import { VIRTUAL_HOSTS } from '../virtualhost/reconciler.js';
import { credentialsFor } from '../virtualhost/credentials.js';
import { GuestProber } from './prober.js';
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
  // The prober reports to the controller, which needs the reconciler, which needs the prober.
  const enqueueTo: { controller?: Controller } = {};
  const prober = new GuestProber(connectGuest, (key) => enqueueTo.controller?.enqueue(key));
  const reconcile = guestDomainReconciler({
    client: manager.client,
    guests: manager.informer<GuestDomain>(GUEST_DOMAINS),
    hosts: manager.informer<VirtualHost>(VIRTUAL_HOSTS),
    hypervisorFor: (host) => {
      const uri = host.spec.libvirt?.uri ?? '';
      const pool = host.spec.libvirt?.storagePool ?? 'default';
      const id = `${uri} ${pool} ${host.spec.libvirt?.sshKeySecretRef?.name ?? host.spec.libvirt?.tlsSecretRef?.name ?? ''}`;
      let hypervisor = hypervisors.get(id);
      if (!hypervisor) {
        hypervisor = new LibvirtGuests(uri, pool, credentialsFor(manager.client, host));
        hypervisors.set(id, hypervisor);
      }
      return hypervisor;
    },
    prober,
    log: manager.log.child({ controller: CONTROLLER_NAME }),
    ...(options.shutdownGraceMs !== undefined && { shutdownGraceMs: options.shutdownGraceMs }),
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
