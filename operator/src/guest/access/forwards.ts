// Where a guest's host forward can be reached from: the operator, a benchmark Job, another guest.
import type { GuestDomain } from '../../api/types.generated.js';
import { parseLibvirtUri } from '../../providers/libvirt/connection.js';

export type HostForward = NonNullable<NonNullable<GuestDomain['spec']['network']>['hostForwards']>[number];

export interface Endpoint {
  host: string;
  port: number;
}

/** A libvirt URI without a host part (qemu:///system, test:///default): the host is this machine. */
export function isLocalUri(uri: string): boolean {
  return /^[a-z]+:\/\/\//.test(uri);
}

export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The address and port a forward listens on, as seen from off the guest: on a local host as
 * written (a wildcard as loopback); on a remote host its own address when it names one, the URI's
 * host for a wildcard, and nothing for the remote host's loopback, which only that host reaches.
 */
export function forwardEndpoint(forward: HostForward, hostUri: string): Endpoint | undefined {
  const address = forward.hostAddress ?? '127.0.0.1';
  const port = forward.hostPort;
  if (isLocalUri(hostUri)) return { host: isWildcardAddress(address) ? '127.0.0.1' : address, port };
  if (isLoopbackAddress(address)) return undefined;
  if (!isWildcardAddress(address)) return { host: address, port };
  const host = uriHost(hostUri);
  return host ? { host, port } : undefined;
}

/** The first forward of guestPort/protocol whose address can be reached (see forwardEndpoint). */
export function reachableForward(
  guest: GuestDomain,
  hostUri: string,
  guestPort: number,
  protocol: 'tcp' | 'udp' = 'tcp',
): Endpoint | undefined {
  for (const forward of guest.spec.network?.hostForwards ?? []) {
    if (forward.guestPort !== guestPort || (forward.protocol ?? 'tcp') !== protocol) continue;
    const endpoint = forwardEndpoint(forward, hostUri);
    if (endpoint) return endpoint;
  }
  return undefined;
}

/** The host of a remote libvirt URI: `h` of qemu+ssh://user@h:22/system, unbracketed. */
export function uriHost(uri: string): string | undefined {
  try {
    const authority = parseLibvirtUri(uri).authority.replace(/^[^@]*@/, '');
    const host = authority.startsWith('[')
      ? authority.slice(1, authority.indexOf(']'))
      : authority.split(':')[0];
    return host || undefined;
  } catch {
    return undefined;
  }
}

/** A guest's forwards as status addresses, `address:port` (`[v6]:port`). */
export function hostForwardAddresses(
  forwards: HostForward[],
): { type: 'HostForward'; address: string; source: 'HostForward' }[] {
  return forwards.map((f) => {
    const address = f.hostAddress ?? '127.0.0.1';
    return {
      type: 'HostForward' as const,
      address: `${address.includes(':') ? `[${address}]` : address}:${f.hostPort}`,
      source: 'HostForward' as const,
    };
  });
}
