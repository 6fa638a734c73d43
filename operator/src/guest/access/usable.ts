import type { GuestDomain } from '../../api/types.generated.js';
import { findCondition } from '../../kube/conditions.js';

export type GuestUse =
  | { kind: 'usable'; guest: GuestDomain }
  | { kind: 'problem'; reason: 'GuestNotFound' | 'GuestDeleting' | 'GuestNotReady'; message: string };

/**
 * Whether a zone, site or benchmark can use a GuestDomain now, and why not. A guest being deleted
 * is never used (its servers go with it: nothing to serve there, nothing to clean up), whether it
 * is still GuestReady or not. Pure.
 */
export function usableGuest(guest: GuestDomain | undefined, name: string): GuestUse {
  if (!guest)
    return { kind: 'problem', reason: 'GuestNotFound', message: `GuestDomain ${name} does not exist` };
  if (guest.metadata.deletionTimestamp)
    return { kind: 'problem', reason: 'GuestDeleting', message: `GuestDomain ${name} is being deleted` };
  if (findCondition(guest.status?.conditions, 'GuestReady')?.status !== 'True')
    return { kind: 'problem', reason: 'GuestNotReady', message: `GuestDomain ${name} is not GuestReady yet` };
  return { kind: 'usable', guest };
}
