import type { Logger } from 'pino';
import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { WebSiteResource } from '../../api/types.generated.js';
import type { KubeClient } from '../../kube/client.js';
import { applyStatus, sameStatus } from '../../kube/objects.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../kube/finalizers.js';
import { recordEvent, type EventNote } from '../../kube/events.js';
import { objectKey, parseKey, type ResourceType } from '../../kube/resourcePath.js';
import type { ReconcileResult } from '../../manager/controller.js';
import type { Informer } from '../../manager/informer.js';
import { contentHash, siteNameOf, type SiteConfig } from '../../guest/apache/model.js';
import { readGuestKeys } from '../../guest/access/sshKeys.js';
import { isoTime } from '../dnszone/desired.js';
import { hostNamesOutside } from '../dnszone/webSiteRecords.js';
import { loadSiteFiles, SiteProblem, type SiteFiles } from './content.js';
import { webGuestOf, type WebGuest } from './endpoints.js';
import { fetchFromGuest } from './health.js';
import type { GuestAccess, SiteServing } from './siteServing.js';
import { desiredSiteStatus, type GuestSite, type SiteObservation } from './status.js';
import { loadCertificate, type SiteCertificate } from './tls.js';

export const CONTROLLER_NAME = 'website';
export const WEB_SITES: ResourceType = WebSiteResource;
export const FINALIZER = 'servirt.dev/website';

export interface WebSiteDeps {
  client: KubeClient;
  sites: Informer<WebSite>;
  guests: Informer<GuestDomain>;
  zones: Informer<DnsZone>;
  serving: SiteServing;
  log: Logger;
  now?: () => string;
}

/** The name of a site's files and virtual host on a guest: unique per namespace and name. */
export const siteName = (site: WebSite) =>
  siteNameOf(site.metadata.namespace ?? '', site.metadata.name ?? '');

/** WebSite: content and certificate -> every guest (configtest, then the switch) -> health -> status. */
export function webSiteReconciler(deps: WebSiteDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  return async (key: string): Promise<ReconcileResult> => {
    const site = deps.sites.get(key);
    if (!site) return {};
    if (site.metadata.deletionTimestamp) return remove(deps, site);
    const current = (await addFinalizer(deps.client, WEB_SITES, site, FINALIZER)) as WebSite;

    let problem: SiteObservation['problem'];
    let files: SiteFiles | undefined;
    let certificate: SiteCertificate | undefined;
    try {
      files = await loadSiteFiles(deps.client, current);
      certificate = await loadCertificate(deps.client, current);
    } catch (error) {
      if (!(error instanceof SiteProblem)) throw error;
      problem = { reason: error.reason, message: error.message };
    }
    const config: SiteConfig | undefined =
      files && !problem
        ? {
            name: siteName(current),
            hostNames: current.spec.hostNames,
            contentHash: contentHash(files),
            ...(certificate && {
              tls: {
                certificate: certificate.certificate,
                privateKey: certificate.privateKey,
                redirectHTTP: current.spec.tls?.redirectHTTP ?? true,
              },
            }),
          }
        : undefined;

    const notes: EventNote[] = [];
    const guests = await Promise.all(
      current.spec.guests.map((g) => siteOnGuest(deps, current, g.name, config, files, certificate, notes)),
    );
    const observation: SiteObservation = {
      guests,
      ...(problem && { problem }),
      ...publishing(deps, current),
    };
    const status = desiredSiteStatus(current, observation, now());
    if (!sameStatus(status, current.status))
      await applyStatus(
        deps.client,
        WEB_SITES,
        CONTROLLER_NAME,
        parseKey(objectKey(current.metadata)),
        status,
      );
    if (problem && current.status?.conditions?.find((c) => c.type === 'Deployed')?.reason !== problem.reason)
      notes.push({
        type: 'Warning',
        reason: problem.reason,
        message: `${problem.message}; the site is served as it was`,
      });
    for (const note of notes) await event(deps, current, note);
    if (problem) return { requeueAfterMs: 30_000 };
    return { requeueAfterMs: guests.every((g) => g.serving) ? 60_000 : 3_000 };
  };
}

async function siteOnGuest(
  deps: WebSiteDeps,
  site: WebSite,
  name: string,
  config: SiteConfig | undefined,
  files: SiteFiles | undefined,
  certificate: SiteCertificate | undefined,
  notes: EventNote[],
): Promise<GuestSite> {
  const found = lookup(deps, site, name);
  if (found.kind === 'problem') return { name, problem: found.message, serving: false };
  let reloaded = false;
  if (config && files) {
    try {
      reloaded = await deps.serving.ensureSite(accessFor(deps, site, found.guest), config, files);
      if (reloaded)
        notes.push({
          type: 'Normal',
          reason: 'Deployed',
          message: `site deployed and Apache reloaded on ${name}`,
        });
    } catch (error) {
      const message = (error as Error).message;
      notes.push({ type: 'Warning', reason: 'DeployFailed', message: `${name}: ${message}` });
      return { name, problem: message, ...(await health(found.guest, site, files, certificate)) };
    }
  }
  return {
    name,
    ...(config && { contentHash: config.contentHash }),
    reloaded,
    ...(await health(found.guest, site, files, certificate)),
  };
}

/** The site answers on the guest: the index page as deployed, over HTTPS with the given certificate. */
async function health(
  guest: WebGuest,
  site: WebSite,
  files: SiteFiles | undefined,
  certificate: SiteCertificate | undefined,
): Promise<{ serving: boolean; healthProblem?: string }> {
  const useHttps = certificate !== undefined && guest.https !== undefined;
  const endpoint = useHttps ? guest.https : guest.http;
  if (!endpoint) return { serving: false, healthProblem: 'no HTTP forward or address to check the site at' };
  const hostName = (site.spec.hostNames[0] ?? '').replace(/^\*\./, 'www.');
  try {
    const answer = await fetchFromGuest(endpoint, hostName, '/', useHttps);
    const index = files?.get('index.html');
    if (index && (answer.status !== 200 || !answer.body.equals(index)))
      return {
        serving: false,
        healthProblem: `GET / answered ${answer.status} without the deployed index.html`,
      };
    if (!index && answer.status >= 500)
      return { serving: false, healthProblem: `GET / answered ${answer.status}` };
    if (useHttps && answer.fingerprint !== certificate.fingerprint)
      return {
        serving: false,
        healthProblem: 'HTTPS answers with another certificate than the Secret holds',
      };
    return { serving: true };
  } catch (error) {
    return { serving: false, healthProblem: (error as Error).message };
  }
}

function publishing(deps: WebSiteDeps, site: WebSite): Pick<SiteObservation, 'publishing'> {
  const ref = site.spec.dnsZoneRef;
  if (!ref) return {};
  const zone = deps.zones.get(`${site.metadata.namespace}/${ref.name}`);
  if (!zone)
    return {
      publishing: { ok: false, reason: 'DnsZoneNotFound', message: `DnsZone ${ref.name} does not exist` },
    };
  if (zone.spec.recordsFrom?.webSites === false)
    return {
      publishing: {
        ok: false,
        reason: 'PublishingDisabled',
        message: `DnsZone ${ref.name} has recordsFrom.webSites false`,
      },
    };
  const outside = hostNamesOutside(site.spec.hostNames, zone.spec.origin);
  if (outside.length > 0)
    return {
      publishing: {
        ok: false,
        reason: 'HostNamesOutsideZone',
        message: `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside ${zone.spec.origin} and not published; the others are`,
      },
    };
  return { publishing: { ok: true, zone: ref.name } };
}

async function remove(deps: WebSiteDeps, site: WebSite): Promise<ReconcileResult> {
  if (!hasFinalizer(site, FINALIZER)) return {};
  const age = Date.now() - Date.parse(isoTime(site.metadata.deletionTimestamp));
  for (const { name } of site.spec.guests) {
    const found = lookup(deps, site, name);
    if (found.kind === 'problem') continue;
    try {
      await deps.serving.removeSite(accessFor(deps, site, found.guest), siteName(site));
    } catch (error) {
      if (age < 5 * 60_000) throw error;
      await event(deps, site, {
        type: 'Warning',
        reason: 'CleanupAbandoned',
        message: `${name}: ${(error as Error).message}`,
      });
    }
  }
  await removeFinalizer(deps.client, WEB_SITES, site, FINALIZER);
  return {};
}

function lookup(deps: WebSiteDeps, site: WebSite, name: string) {
  const guest = deps.guests.get(`${site.metadata.namespace}/${name}`);
  return webGuestOf(guest, name);
}

function accessFor(deps: WebSiteDeps, site: WebSite, guest: WebGuest): GuestAccess {
  return {
    guest,
    credentials: async () => {
      const keys = await readGuestKeys(deps.client, site.metadata.namespace ?? '', guest.guest);
      return { clientPrivateKey: keys.clientPrivate, hostPublicKey: keys.hostPublic };
    },
  };
}

async function event(deps: WebSiteDeps, site: WebSite, note: EventNote): Promise<void> {
  const failed = await recordEvent(deps.client, CONTROLLER_NAME, site, note);
  if (failed) deps.log.warn({ err: failed }, 'could not record an event');
}
