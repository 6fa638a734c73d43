import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import type { DnsEndpoint } from '../../dns/client.js';
import type { PeerAddress } from '../../guest/bind/model.js';
import { findCondition } from '../../kube/conditions.js';
import {
  forwardEndpoint,
  isLocalUri,
  isLoopbackAddress,
  isWildcardAddress,
  reachableForward,
} from '../guestdomain/forwards.js';
import { sshEndpoint } from '../guestdomain/plan.js';

/** Where a zone's server is reached: by the operator (SSH, DNS) and by the other servers (peer). */
export interface ZoneServer {
  guest: string;
  ssh: { host: string; port: number };
  /** Where the operator sends queries, transfers and updates. */
  dns: DnsEndpoint;
  /** Where the zone's other servers send NOTIFY and transfer requests. */
  peer: PeerAddress;
}

export type ServerLookup =
  { kind: 'found'; server: ZoneServer } | { kind: 'problem'; reason: string; message: string };

/**
 * QEMU user-mode networking (slirp) gives every guest 10.0.2.2 as the address of its host, which
 * slirp translates to the host's loopback: a guest reaches another guest on the same host through
 * that guest's loopback forward.
 */
const SLIRP_HOST = '10.0.2.2';

const guestDnsPort = 53;

/** The server a GuestDomain is, or why it cannot serve yet. Pure. */
export function zoneServerOf(
  guest: GuestDomain | undefined,
  host: VirtualHost | undefined,
  name: string,
  peerOverride?: (guest: GuestDomain) => PeerAddress | undefined,
): ServerLookup {
  if (!guest)
    return { kind: 'problem', reason: 'GuestNotFound', message: `GuestDomain ${name} does not exist` };
  if (guest.metadata.deletionTimestamp)
    return { kind: 'problem', reason: 'GuestDeleting', message: `GuestDomain ${name} is being deleted` };
  if (findCondition(guest.status?.conditions, 'GuestReady')?.status !== 'True')
    return { kind: 'problem', reason: 'GuestNotReady', message: `GuestDomain ${name} is not GuestReady yet` };
  const uri = host?.spec.libvirt?.uri ?? '';
  const ssh = sshEndpoint(guest, uri);
  const dns = dnsEndpoint(guest, uri);
  const peer = peerOverride?.(guest) ?? peerAddress(guest, uri);
  if (!ssh || !dns || !peer) {
    return {
      kind: 'problem',
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} has no reachable ${!ssh ? 'SSH' : 'DNS'} forward (user-mode networking with forwards of ports 22 and 53 on a local host, or on a remote host's own address) nor an internal address`,
    };
  }
  return { kind: 'found', server: { guest: name, ssh, dns, peer } };
}

function forwardOf(guest: GuestDomain, guestPort: number, protocol: 'tcp' | 'udp') {
  return (guest.spec.network?.hostForwards ?? []).find(
    (f) => f.guestPort === guestPort && (f.protocol ?? 'tcp') === protocol,
  );
}

function internalAddress(guest: GuestDomain): string | undefined {
  return guest.status?.addresses?.find((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')?.address;
}

function dnsEndpoint(guest: GuestDomain, hostUri: string): DnsEndpoint | undefined {
  const forward = reachableForward(guest, hostUri, guestDnsPort);
  if (forward) return forward;
  const address = internalAddress(guest);
  return address ? { host: address, port: guestDnsPort } : undefined;
}

function peerAddress(guest: GuestDomain, hostUri: string): PeerAddress | undefined {
  const tcp = forwardOf(guest, guestDnsPort, 'tcp');
  const udp = forwardOf(guest, guestDnsPort, 'udp');
  // NOTIFY comes over UDP and transfers over TCP, to one address and port.
  if (tcp && udp && tcp.hostPort === udp.hostPort && tcp.hostAddress === udp.hostAddress) {
    const address = tcp.hostAddress ?? '127.0.0.1';
    if (isLoopbackAddress(address) || isWildcardAddress(address)) {
      if (isLocalUri(hostUri)) return { address: SLIRP_HOST, port: tcp.hostPort };
    } else {
      // The host's own address: slirp connects guests of that host to it, other hosts route to it.
      const endpoint = forwardEndpoint(tcp, hostUri);
      if (endpoint) return { address: endpoint.host, port: endpoint.port };
    }
  }
  const address = internalAddress(guest);
  return address ? { address, port: guestDnsPort } : undefined;
}

/**
 * Addresses to publish for a guest (NS glue, recordsFrom): its own addresses, or, for a guest
 * reachable only through forwards, the host address its forwards listen on.
 */
export function publishedAddresses(guest: GuestDomain): string[] {
  const own = (guest.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => a.address);
  if (own.length > 0) return [...new Set(own)];
  const forwarded = (guest.spec.network?.hostForwards ?? []).map((f) => f.hostAddress ?? '127.0.0.1');
  return [...new Set(forwarded)].filter((a) => a !== '0.0.0.0' && a !== '::');
}
