import { isIPv6 } from 'node:net';
import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import type { ResourceRecord } from '../../dns/record.js';
import { publishedAddresses } from '../../guest/access/endpoints.js';

/** The owner name of a web site's host name in a zone (`www.example.com.`), or undefined when it is outside. */
export function ownerInZone(hostName: string, origin: string): string | undefined {
  const bare = origin.replace(/\.$/, '');
  if (hostName === bare || hostName.endsWith(`.${bare}`)) return `${hostName}.`;
  return undefined;
}

/** Host names of a site that a zone with this origin cannot publish. Pure. */
export function hostNamesOutside(hostNames: readonly string[], origin: string): string[] {
  return hostNames.filter((name) => ownerInZone(name, origin) === undefined);
}

/**
 * A and AAAA records for the host names of the WebSites that name this zone in dnsZoneRef,
 * pointing at the addresses of every guest that serves them (spec.recordsFrom.webSites). Pure.
 */
export function webSiteRecords(
  zone: DnsZone,
  sites: readonly WebSite[],
  guestNamed: (name: string) => GuestDomain | undefined,
  ttl: number,
): ResourceRecord[] {
  if (zone.spec.recordsFrom?.webSites === false) return [];
  const origin = `${zone.spec.origin}.`;
  const records: ResourceRecord[] = [];
  for (const site of sites) {
    if (site.metadata.deletionTimestamp || site.spec.dnsZoneRef?.name !== zone.metadata.name) continue;
    if (site.metadata.namespace !== zone.metadata.namespace) continue;
    const addresses = [
      ...new Set(
        site.spec.guests.flatMap((g) => {
          const guest = guestNamed(g.name);
          return guest ? publishedAddresses(guest) : [];
        }),
      ),
    ];
    for (const hostName of site.spec.hostNames) {
      const name = ownerInZone(hostName, origin);
      if (!name) continue;
      for (const address of addresses)
        records.push({ name, type: isIPv6(address) ? 'AAAA' : 'A', ttl, data: address });
    }
  }
  return records;
}
