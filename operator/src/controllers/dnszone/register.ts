import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { WebSiteResource, GuestDomainResource as GUEST_DOMAINS } from '../../api/types.generated.js';
import type { Manager } from '../../manager/manager.js';
import type { Controller } from '../../manager/controller.js';
import { connectGuest, GUEST_HANDSHAKE_TIMEOUT_MS } from '../../guest/channel.js';
import { GUEST_BIND_LAYOUT, type BindLayout } from '../../guest/bind/layout.js';
import { SECRETS } from '../../kube/resourcePath.js';
import { CONTROLLER_NAME, DNS_ZONES, dnsZoneReconciler } from './reconciler.js';
import { ZoneServing } from './serving.js';
import type { ZoneServer } from './servers.js';
import { zoneKeySecretName } from './tsigKeys.js';

export interface DnsZoneControllerOptions {
  concurrency?: number;
  /** Where BIND's files are on a server; a guest's by default. */
  layoutOf?: (server: ZoneServer) => BindLayout;
}

/** Adds the DnsZone controller: zones are reconciled when they, their guests or their key Secret change. */
export function registerDnsZoneController(
  manager: Manager,
  options: DnsZoneControllerOptions = {},
): Controller {
  const reconcile = dnsZoneReconciler({
    client: manager.client,
    zones: manager.informer<DnsZone>(DNS_ZONES),
    guests: manager.informer<GuestDomain>(GUEST_DOMAINS),
    sites: manager.informer<WebSite>(WebSiteResource),
    serving: new ZoneServing(options.layoutOf ?? (() => GUEST_BIND_LAYOUT), (endpoint) =>
      connectGuest(endpoint, GUEST_HANDSHAKE_TIMEOUT_MS),
    ),
    log: manager.log.child({ controller: CONTROLLER_NAME }),
  });
  const controller = manager.controller(CONTROLLER_NAME, DNS_ZONES, reconcile, {
    concurrency: options.concurrency ?? 2,
  });
  manager.watchReferences<DnsZone>(DNS_ZONES, GUEST_DOMAINS, controller, (zone) =>
    [
      zone.spec.primary.guestRef.name,
      ...(zone.spec.secondaries ?? []).map((s) => s.guestRef.name),
      ...(zone.spec.recordsFrom?.guestDomains ?? []).map((g) => g.name),
    ].map((name) => `${zone.metadata.namespace}/${name}`),
  );
  manager.watchReferences<DnsZone>(
    DNS_ZONES,
    SECRETS,
    controller,
    (zone) => [`${zone.metadata.namespace}/${zoneKeySecretName(zone)}`],
    { metadataOnly: true },
  );
  // A site's host names live in the zone its dnsZoneRef names: both zones, when that changes.
  manager.informer<WebSite>(WebSiteResource).onEvent((_event, site, previous) => {
    for (const version of [site, previous]) {
      const zone = version?.spec.dnsZoneRef?.name;
      if (zone) controller.enqueue(`${version.metadata.namespace}/${zone}`);
    }
  });
  return controller;
}
