import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import type { Manager } from '../../manager/manager.js';
import type { Controller } from '../../manager/controller.js';
import { connectGuest } from '../../guest/channel.js';
import { LibvirtGuests } from '../../providers/libvirt/guests.js';
import { LifecycleStream, type LifecycleEvent } from '../../providers/libvirt/lifecycleEvents.js';
import { objectKey } from '../../kube/resourcePath.js';
import { guestNames } from './plan.js';
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
  const log = manager.log.child({ controller: CONTROLLER_NAME });
  const guests = manager.informer<GuestDomain>(GUEST_DOMAINS);
  const hosts = manager.informer<VirtualHost>(VIRTUAL_HOSTS);
  const hypervisors = new Map<string, LibvirtGuests>();
  const streams = new Map<string, LifecycleStream>();
  // A connection is its URI with the credentials of one Secret: two namespaces' Secrets of the same
  // name are two connections.
  const connectionOf = (host: VirtualHost) => {
    const secret = host.spec.libvirt?.sshKeySecretRef?.name ?? host.spec.libvirt?.tlsSecretRef?.name;
    return `${host.spec.libvirt?.uri ?? ''} ${secret ? `${host.metadata.namespace}/${secret}` : ''}`;
  };
  // A domain's lifecycle event (virsh destroy from outside, a crash) enqueues its guest at once.
  const onLifecycle = (connection: string, event: LifecycleEvent) => {
    for (const guest of guests.list()) {
      if (guestNames(guest).domain !== event.domain) continue;
      const host = hosts.get(`${guest.metadata.namespace}/${guest.spec.virtualHostRef.name}`);
      if (!host || connectionOf(host) !== connection) continue;
      const key = objectKey(guest.metadata);
      log.info(
        { guest: key, event: event.event, detail: event.detail, atMs: event.atMs },
        'domain lifecycle event',
      );
      enqueueTo.controller?.enqueue(key);
    }
  };
  // One connection per host, URI, pool and credentials, shared by every guest on it; one event
  // stream per host connection.
  const hypervisorOf = (host: VirtualHost): LibvirtGuests => {
    const uri = host.spec.libvirt?.uri ?? '';
    const pool = host.spec.libvirt?.storagePool ?? 'default';
    const connection = connectionOf(host);
    const id = `${connection} ${pool}`;
    let hypervisor = hypervisors.get(id);
    if (!hypervisor) {
      hypervisor = new LibvirtGuests(uri, pool, credentialsFor(manager.client, host));
      hypervisors.set(id, hypervisor);
    }
    if (!streams.has(connection)) {
      const stream = new LifecycleStream(
        uri,
        credentialsFor(manager.client, host),
        (e) => onLifecycle(connection, e),
        {
          onProblem: (reason) => log.warn({ host: objectKey(host.metadata), reason }, 'domain event stream'),
        },
      );
      streams.set(connection, stream);
      stream.start();
    }
    return hypervisor;
  };
  manager.onStop(async () => {
    await Promise.all([...streams.values()].map((stream) => stream.stop()));
    streams.clear();
  });
  const shutdownRequested = new Map<string, number>();
  // The prober reports to the controller, which needs the reconciler, which needs the prober.
  const enqueueTo: { controller?: Controller } = {};
  const prober = new GuestProber(connectGuest, (key) => enqueueTo.controller?.enqueue(key));
  const reconcile = guestDomainReconciler({
    client: manager.client,
    guests,
    hosts,
    backendFor: (host) => {
      if (host.spec.provider === 'kubevirt') return kubeVirtBackend(manager.client, host);
      if (host.spec.provider !== 'libvirt' || !host.spec.libvirt) return undefined;
      return libvirtBackend(hypervisorOf(host), host, {
        shutdownGraceMs: options.shutdownGraceMs ?? 60_000,
        shutdownRequested,
      });
    },
    prober,
    log,
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
