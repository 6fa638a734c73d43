import type { Manager } from '../../manager/manager.js';
import type { Controller, Reconciler } from '../../manager/controller.js';
import { SECRETS } from '../../kube/resourcePath.js';
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
  const reconcile = virtualHostReconciler({
    client: manager.client,
    informer: manager.informer<VirtualHost>(VIRTUAL_HOSTS),
    probe: options.probe ?? new LibvirtHostProbe(),
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
  return controller;
}
