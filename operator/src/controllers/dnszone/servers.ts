import type { GuestDomain } from '../../api/types.generated.js';
import type { DnsEndpoint } from '../../dns/client.js';
import type { PeerAddress } from '../../guest/bind/model.js';
import { findCondition } from '../../kube/conditions.js';
import { guestsEndpoint, operatorEndpoint } from '../../guest/access/endpoints.js';

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

/** The server a GuestDomain is, from the endpoints in its status, or why it cannot serve yet. Pure. */
export function zoneServerOf(guest: GuestDomain | undefined, name: string): ServerLookup {
  if (!guest)
    return { kind: 'problem', reason: 'GuestNotFound', message: `GuestDomain ${name} does not exist` };
  if (guest.metadata.deletionTimestamp)
    return { kind: 'problem', reason: 'GuestDeleting', message: `GuestDomain ${name} is being deleted` };
  if (findCondition(guest.status?.conditions, 'GuestReady')?.status !== 'True')
    return { kind: 'problem', reason: 'GuestNotReady', message: `GuestDomain ${name} is not GuestReady yet` };
  const ssh = operatorEndpoint(guest, 'ssh');
  const dns = operatorEndpoint(guest, 'dns');
  const peer = guestsEndpoint(guest, 'dns');
  if (!ssh || !dns || !peer) {
    const missing = !ssh ? 'ssh from the operator' : !dns ? 'dns from the operator' : 'dns from other guests';
    return {
      kind: 'problem',
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} publishes no endpoint for ${missing} (a user-mode guest needs forwards of tcp 22 and of udp and tcp 53 at one address and port)`,
    };
  }
  return { kind: 'found', server: { guest: name, ssh, dns, peer: { address: peer.host, port: peer.port } } };
}
