import type { GuestDomain, VirtualHostStatusAllocated } from '../../api/types.generated.js';

/** What the guests defined on a host claim of it. Guests being deleted still count until they are gone. Pure. */
export function allocation(guests: readonly GuestDomain[]): VirtualHostStatusAllocated {
  return {
    vcpus: guests.reduce((sum, guest) => sum + guest.spec.vcpus, 0),
    memoryMiB: guests.reduce((sum, guest) => sum + guest.spec.memoryMiB, 0),
    guests: guests.length,
  };
}
