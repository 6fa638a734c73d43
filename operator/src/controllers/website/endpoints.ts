import type { GuestDomain } from '../../api/types.generated.js';
import { operatorEndpoint } from '../../guest/access/endpoints.js';
import { usableGuest } from '../../guest/access/usable.js';

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

/** The web guest a GuestDomain is, from the endpoints in its status, or why it cannot serve yet. Pure. */
export function webGuestOf(guest: GuestDomain | undefined, name: string): WebGuestLookup {
  const use = usableGuest(guest, name);
  if (use.kind === 'problem') return use;
  const ssh = operatorEndpoint(use.guest, 'ssh');
  if (!ssh)
    return {
      kind: 'problem',
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} publishes no SSH endpoint the operator can reach`,
    };
  const http = operatorEndpoint(use.guest, 'http');
  const https = operatorEndpoint(use.guest, 'https');
  return {
    kind: 'found',
    guest: {
      guest: name,
      id: use.guest.metadata.uid ?? name,
      ssh,
      ...(http && { http }),
      ...(https && { https }),
    },
  };
}
