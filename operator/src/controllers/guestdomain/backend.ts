// The guest platform port: what a hypervisor backend does for one guest. The GuestDomain reconciler
// talks to nothing else; libvirtBackend.ts and kubevirtBackend.ts implement it, and the backend is
// chosen once per VirtualHost (register.ts).
import type { GuestDomain, GuestDomainStatusAddress } from '../../api/types.generated.js';
import type { EventNote } from '../../kube/events.js';
import type { GuestEndpoint } from '../../guest/access/endpoints.js';
import type { GuestKeys } from '../../guest/access/sshKeys.js';
import type { DomainObservation } from '../../providers/libvirt/guests.js';

export interface GuestBackend {
  /** Why this host cannot run this guest (a hypervisor mismatch), or undefined when it can. */
  unsuitable(guest: GuestDomain): { reason: string; message: string } | undefined;
  /** Makes the guest exist and be in the run state its spec asks for; reports what it found and did. */
  ensure(guest: GuestDomain, keys: GuestKeys): Promise<GuestStep>;
  /** Removes everything of the guest from its host; true once it is all gone. */
  remove(guest: GuestDomain): Promise<boolean>;
  /** The guest's addresses and the endpoints of its services, from what ensure() observed. Pure. */
  reach(guest: GuestDomain, step: GuestStep): GuestReach;
}

export interface GuestStep {
  /** The domain (or instance) as it is after this step; undefined while it does not exist yet. */
  domain?: DomainObservation;
  /** The guest's own addresses where the backend reports them. */
  addresses?: GuestDomainStatusAddress[];
  /** A failure the user must fix; reported as a condition. */
  failure?: { reason: string; message: string };
  /** What of the spec the running guest gets only at its next restart (vcpus, memory). */
  restartPending?: string;
  /** The backend started the guest in this step. */
  startedNow: boolean;
  /** Events to record for what the step did. */
  notes: EventNote[];
  /** Who reports the domain's state, for the Running condition. */
  reportedBy: string;
  /** Why the guest is not running, when it is not (for GuestReady). */
  notRunningMessage?: string;
  /** The end of the guest's console, for a probe's message when the guest does not answer. */
  consoleTail?: () => Promise<string>;
}

export interface GuestReach {
  addresses: GuestDomainStatusAddress[];
  endpoints: GuestEndpoint[];
  /** Why there is no SSH endpoint, when there is none. */
  noSshBecause: string;
}
