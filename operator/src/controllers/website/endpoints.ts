import type { GuestDomain } from '../../api/types.generated.js';
import { findCondition } from '../../kube/conditions.js';
import { operatorEndpoint } from '../../guest/access/endpoints.js';

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
  if (!guest)
    return { kind: 'problem', reason: 'GuestNotFound', message: `GuestDomain ${name} does not exist` };
  // A guest being deleted takes its sites with it: nothing to serve there, nothing to clean up.
  if (guest.metadata.deletionTimestamp)
    return { kind: 'problem', reason: 'GuestDeleting', message: `GuestDomain ${name} is being deleted` };
  if (findCondition(guest.status?.conditions, 'GuestReady')?.status !== 'True')
    return { kind: 'problem', reason: 'GuestNotReady', message: `GuestDomain ${name} is not GuestReady yet` };
  const ssh = operatorEndpoint(guest, 'ssh');
  if (!ssh)
    return {
      kind: 'problem',
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} publishes no SSH endpoint the operator can reach`,
    };
  const http = operatorEndpoint(guest, 'http');
  const https = operatorEndpoint(guest, 'https');
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
