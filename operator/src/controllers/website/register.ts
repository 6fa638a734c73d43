import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { DnsZoneResource, GuestDomainResource as GUEST_DOMAINS } from '../../api/types.generated.js';
import type { Manager } from '../../manager/manager.js';
import type { Controller } from '../../manager/controller.js';
import { connectGuest, GUEST_HANDSHAKE_TIMEOUT_MS } from '../../guest/channel.js';
import { GUEST_APACHE_LAYOUT, type ApacheLayout } from '../../guest/apache/layout.js';
import { CONFIG_MAPS, SECRETS } from '../../kube/resourcePath.js';
import type { WebGuest } from './endpoints.js';
import { CONTROLLER_NAME, WEB_SITES, webSiteReconciler } from './reconciler.js';
import { SiteServing } from './siteServing.js';

export interface WebSiteControllerOptions {
  concurrency?: number;
  /** Where Apache's files are on a guest; a Debian guest's by default. */
  layoutOf?: (guest: WebGuest) => ApacheLayout;
}

/** Adds the WebSite controller: sites are reconciled when they, their guests, content or certificate change. */
export function registerWebSiteController(
  manager: Manager,
  options: WebSiteControllerOptions = {},
): Controller {
  const reconcile = webSiteReconciler({
    client: manager.client,
    sites: manager.informer<WebSite>(WEB_SITES),
    guests: manager.informer<GuestDomain>(GUEST_DOMAINS),
    zones: manager.informer<DnsZone>(DnsZoneResource),
    serving: new SiteServing(options.layoutOf ?? (() => GUEST_APACHE_LAYOUT), (endpoint) =>
      connectGuest(endpoint, GUEST_HANDSHAKE_TIMEOUT_MS),
    ),
    log: manager.log.child({ controller: CONTROLLER_NAME }),
  });
  const controller = manager.controller(CONTROLLER_NAME, WEB_SITES, reconcile, {
    concurrency: options.concurrency ?? 2,
  });
  const inNamespace = (site: WebSite, name: string) => `${site.metadata.namespace}/${name}`;
  manager.watchReferences<WebSite>(WEB_SITES, GUEST_DOMAINS, controller, (site) =>
    site.spec.guests.map((g) => inNamespace(site, g.name)),
  );
  manager.watchReferences<WebSite>(WEB_SITES, DnsZoneResource, controller, (site) =>
    site.spec.dnsZoneRef ? [inNamespace(site, site.spec.dnsZoneRef.name)] : [],
  );
  manager.watchReferences<WebSite>(
    WEB_SITES,
    SECRETS,
    controller,
    (site) => (site.spec.tls ? [inNamespace(site, site.spec.tls.secretRef.name)] : []),
    { metadataOnly: true },
  );
  manager.watchReferences<WebSite>(
    WEB_SITES,
    CONFIG_MAPS,
    controller,
    (site) =>
      site.spec.content.configMapRef ? [inNamespace(site, site.spec.content.configMapRef.name)] : [],
    { metadataOnly: true },
  );
  return controller;
}
