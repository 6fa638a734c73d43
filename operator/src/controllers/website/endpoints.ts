import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { findCondition } from '../../kube/conditions.js';
import { reachableForward } from '../guestdomain/forwards.js';
import { sshEndpoint } from '../guestdomain/plan.js';

/** Where the operator reaches a web guest: its sshd, and its HTTP and HTTPS ports for health checks. */
export interface WebGuest {
  guest: string;
  /** Stable identity of the guest incarnation (its uid). */
  id: string;
  ssh: { host: string; port: number };
  http?: { host: string; port: number };
  https?: { host: string; port: number };
}

export type WebGuestLookup =
  { kind: 'found'; guest: WebGuest } | { kind: 'problem'; reason: string; message: string };

/** The web guest a GuestDomain is, or why it cannot serve yet. Pure. */
export function webGuestOf(
  guest: GuestDomain | undefined,
  host: VirtualHost | undefined,
  name: string,
): WebGuestLookup {
  if (!guest)
    return { kind: 'problem', reason: 'GuestNotFound', message: `GuestDomain ${name} does not exist` };
  if (findCondition(guest.status?.conditions, 'GuestReady')?.status !== 'True')
    return { kind: 'problem', reason: 'GuestNotReady', message: `GuestDomain ${name} is not GuestReady yet` };
  const ssh = sshEndpoint(guest, host?.spec.libvirt?.uri ?? '');
  if (!ssh)
    return {
      kind: 'problem',
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} has no reachable SSH forward (one on a local host, or on a remote host's own address) nor an address`,
    };
  const uri = host?.spec.libvirt?.uri ?? '';
  const forward = (port: number) => reachableForward(guest, uri, port);
  const address = guest.status?.addresses?.find(
    (a) => a.type === 'InternalIP' || a.type === 'ExternalIP',
  )?.address;
  const http = forward(80) ?? (address ? { host: address, port: 80 } : undefined);
  const https = forward(443) ?? (address ? { host: address, port: 443 } : undefined);
  return {
    kind: 'found',
    guest: {
      guest: name,
      id: guest.metadata.uid ?? name,
      ssh,
      ...(http && { http }),
      ...(https && { https }),
    },
  };
}
