import type { Manager } from '../../manager/manager.js';
import type { Controller, Reconciler } from '../../manager/controller.js';
import { parseKey, SECRETS } from '../../kube/resourcePath.js';
import { GuestDomainResource, type GuestDomain } from '../../api/types.generated.js';
import { LibvirtHostProbe } from '../../providers/libvirt/hostProbe.js';
import {
  CONTROLLER_NAME,
  VIRTUAL_HOSTS,
  secretReferences,
  virtualHostReconciler,
  type HostProbe,
  type VirtualHost,
} from './reconciler.js';

export interface VirtualHostControllerOptions {
  concurrency?: number;
  recheckMs?: number;
  probe?: HostProbe;
  /** Wraps the reconciler (tests count calls with it). */
  wrap?: (reconcile: Reconciler) => Reconciler;
}

/** Adds the VirtualHost controller to manager: its informer, the controller, and the Secrets it follows. */
export function registerVirtualHostController(
  manager: Manager,
  options: VirtualHostControllerOptions = {},
): Controller {
  const guests = manager.informer<GuestDomain>(GuestDomainResource);
  const reconcile = virtualHostReconciler({
    client: manager.client,
    informer: manager.informer<VirtualHost>(VIRTUAL_HOSTS),
    probe: options.probe ?? new LibvirtHostProbe(),
    guestsOn: (hostKey) => {
      const { namespace, name } = parseKey(hostKey);
      return guests
        .list()
        .filter((g) => g.metadata.namespace === namespace && g.spec.virtualHostRef.name === name);
    },
    log: manager.log.child({ controller: CONTROLLER_NAME }),
    ...(options.recheckMs !== undefined && { recheckMs: options.recheckMs }),
  });
  const controller = manager.controller(
    CONTROLLER_NAME,
    VIRTUAL_HOSTS,
    options.wrap ? options.wrap(reconcile) : reconcile,
    {
      concurrency: options.concurrency ?? 2,
    },
  );
  manager.watchReferences(VIRTUAL_HOSTS, SECRETS, controller, secretReferences, { metadataOnly: true });
  manager.watch<GuestDomain>(GuestDomainResource, controller, (guest) => [
    `${guest.metadata.namespace}/${guest.spec.virtualHostRef.name}`,
  ]);
  return controller;
}
