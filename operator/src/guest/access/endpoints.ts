// Where a guest's services are reached. The GuestDomain controller works the endpoints out from
// the guest's network (builders below) and publishes them in status.endpoints; DnsZone, WebSite
// and Benchmark only read them (readers at the end).
import type { GuestDomain, GuestDomainStatusEndpoint } from '../../api/types.generated.js';
import {
  forwardEndpoint,
  isLocalUri,
  isLoopbackAddress,
  isWildcardAddress,
  type Endpoint,
  type HostForward,
} from './forwards.js';

export type GuestService = Exclude<GuestDomainStatusEndpoint['service'], 'other'>;
export type GuestEndpoint = GuestDomainStatusEndpoint;
export type { Endpoint };

export const SERVICE_PORTS: Readonly<Record<GuestService, number>> = {
  ssh: 22,
  dns: 53,
  http: 80,
  https: 443,
};
const SERVICES = Object.keys(SERVICE_PORTS) as GuestService[];

/**
 * QEMU user-mode networking (slirp) gives every guest 10.0.2.2 as the address of its host, which
 * slirp translates to the host's loopback: a guest reaches another guest on the same host through
 * that guest's loopback forward.
 */
export const SLIRP_HOST = '10.0.2.2';

/** The endpoints of a guest whose host forwards ports to it (QEMU user mode). Pure. */
export function forwardedEndpoints(forwards: HostForward[], hostUri: string): GuestEndpoint[] {
  const endpoints: GuestEndpoint[] = [];
  for (const service of SERVICES) {
    const guestPort = SERVICE_PORTS[service];
    const usable = forwards.filter(
      (f) =>
        f.guestPort === guestPort &&
        (f.protocol ?? 'tcp') === 'tcp' &&
        // DNS answers queries over UDP and transfers over TCP, both at one address and port.
        (service !== 'dns' || forwards.some((u) => isUdpTwin(u, f))),
    );
    const entry = forwardEntry(service, guestPort, usable, hostUri);
    if (entry) endpoints.push(entry);
  }
  const servicePorts = new Set(Object.values(SERVICE_PORTS));
  for (const forward of forwards) {
    const guestPort = forward.guestPort;
    if ((forward.protocol ?? 'tcp') !== 'tcp' || servicePorts.has(guestPort)) continue;
    if (endpoints.some((e) => e.guestPort === guestPort)) continue;
    const entry = forwardEntry('other', guestPort, [forward], hostUri);
    if (entry) endpoints.push(entry);
  }
  return endpoints;
}

/** The endpoint of the first of these forwards each side can reach; undefined when neither can. */
function forwardEntry(
  service: GuestEndpoint['service'],
  guestPort: number,
  forwards: HostForward[],
  hostUri: string,
): GuestEndpoint | undefined {
  const fromOperator = firstDefined(forwards, (f) => forwardEndpoint(f, hostUri));
  const fromGuests = firstDefined(forwards, (f) => guestsView(f, hostUri));
  if (!fromOperator && !fromGuests) return undefined;
  return {
    service,
    guestPort,
    source: 'HostForward',
    ...(fromOperator && { fromOperator: { address: fromOperator.host, port: fromOperator.port } }),
    ...(fromGuests && { fromGuests: { address: fromGuests.host, port: fromGuests.port } }),
  };
}

/** The endpoints of a guest reached at an address of its own (bridged, a libvirt network, KubeVirt). Pure. */
export function addressEndpoints(address: string | undefined): GuestEndpoint[] {
  if (!address) return [];
  return SERVICES.map((service) => {
    const at = { address, port: SERVICE_PORTS[service] };
    return { service, guestPort: at.port, source: 'GuestAddress', fromOperator: at, fromGuests: { ...at } };
  });
}

function isUdpTwin(candidate: HostForward, tcp: HostForward): boolean {
  return (
    candidate.protocol === 'udp' &&
    candidate.guestPort === tcp.guestPort &&
    candidate.hostPort === tcp.hostPort &&
    (candidate.hostAddress ?? '127.0.0.1') === (tcp.hostAddress ?? '127.0.0.1')
  );
}

/**
 * Where another guest reaches a forward: a loopback or wildcard forward of a local host through
 * slirp's view of its host; a forward on a host's own address at that address (slirp connects the
 * host's guests to it, other hosts route to it), a remote host's wildcard at its URI's host; a
 * remote host's loopback not at all.
 */
function guestsView(forward: HostForward, hostUri: string): Endpoint | undefined {
  const address = forward.hostAddress ?? '127.0.0.1';
  const local = isLocalUri(hostUri);
  if (isLoopbackAddress(address)) return local ? { host: SLIRP_HOST, port: forward.hostPort } : undefined;
  if (isWildcardAddress(address) && local) return { host: SLIRP_HOST, port: forward.hostPort };
  return forwardEndpoint(forward, hostUri);
}

function firstDefined<T, R>(items: T[], pick: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const picked = pick(item);
    if (picked !== undefined) return picked;
  }
  return undefined;
}

/** Where the operator (or a Job it starts) reaches a guest's service, from its status. */
export function operatorEndpoint(guest: GuestDomain, service: GuestService): Endpoint | undefined {
  const at = endpointOf(guest, service)?.fromOperator;
  return at ? { host: at.address, port: at.port } : undefined;
}

/** Where other guests reach a guest's service, from its status. */
export function guestsEndpoint(guest: GuestDomain, service: GuestService): Endpoint | undefined {
  const at = endpointOf(guest, service)?.fromGuests;
  return at ? { host: at.address, port: at.port } : undefined;
}

/**
 * Where the operator reaches any port of a guest: a published service's endpoint when the port is
 * one, else the port at the guest's own address (a forwarded guest has none).
 */
export function operatorEndpointForPort(guest: GuestDomain, guestPort: number): Endpoint | undefined {
  const published = guest.status?.endpoints?.find((e) => e.guestPort === guestPort);
  if (published)
    return (
      published.fromOperator && { host: published.fromOperator.address, port: published.fromOperator.port }
    );
  const own = ownAddresses(guest)[0];
  return own ? { host: own, port: guestPort } : undefined;
}

/**
 * The addresses to publish for a guest in DNS (NS glue, address records): its own addresses, else
 * the host addresses its forwards listen on (a wildcard is no address to publish).
 */
export function publishedAddresses(guest: GuestDomain): string[] {
  const own = ownAddresses(guest);
  if (own.length > 0) return own;
  const forwarded = (guest.status?.addresses ?? [])
    .filter((a) => a.type === 'HostForward')
    .map((a) => forwardHost(a.address));
  return [...new Set(forwarded)].filter((a) => a !== '' && !isWildcardAddress(a));
}

function endpointOf(guest: GuestDomain, service: GuestService): GuestEndpoint | undefined {
  return guest.status?.endpoints?.find((e) => e.service === service);
}

function ownAddresses(guest: GuestDomain): string[] {
  const own = (guest.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => a.address);
  return [...new Set(own)];
}

/** The address of a HostForward entry, `address:port` or `[v6]:port`. */
function forwardHost(entry: string): string {
  if (entry.startsWith('[')) return entry.slice(1, entry.indexOf(']'));
  const colon = entry.lastIndexOf(':');
  return colon < 0 ? entry : entry.slice(0, colon);
}
