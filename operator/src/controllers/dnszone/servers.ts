import type { GuestDomain } from '../../api/types.generated.js';
import type { DnsEndpoint } from '../../dns/client.js';
import type { PeerAddress } from '../../guest/bind/model.js';
import { guestsEndpoint, operatorEndpoint } from '../../guest/access/endpoints.js';
import { usableGuest } from '../../guest/access/usable.js';

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
  const use = usableGuest(guest, name);
  if (use.kind === 'problem') return use;
  const ssh = operatorEndpoint(use.guest, 'ssh');
  const dns = operatorEndpoint(use.guest, 'dns');
  const peer = guestsEndpoint(use.guest, 'dns');
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
