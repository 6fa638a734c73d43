// A GuestDomain on a libvirt VirtualHost: disk, seed and domain on the host, run state through
// libvirt, the guest reached through its host's forwards (user mode) or at its own address.
import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { findCondition } from '../../kube/conditions.js';
import type { EventNote } from '../../kube/events.js';
import { objectKey } from '../../kube/resourcePath.js';
import { addressEndpoints, forwardedEndpoints } from '../../guest/access/endpoints.js';
import { hostForwardAddresses } from '../../guest/access/forwards.js';
import type { GuestKeys } from '../../guest/access/sshKeys.js';
import type { DomainObservation } from '../../providers/libvirt/guests.js';
import type { GuestBackend, GuestReach, GuestStep } from './backend.js';
import { guestNames } from './plan.js';
import { provisionDomain, ProvisionError, teardownDomain, type GuestHypervisor } from './provision.js';

export interface LibvirtBackendOptions {
  /** How long a Halted guest gets to shut down before it is destroyed. */
  shutdownGraceMs: number;
  /** When this process first asked each halting guest to shut down, by guest key (shared by hosts). */
  shutdownRequested: Map<string, number>;
}

export function libvirtBackend(
  hypervisor: GuestHypervisor,
  host: VirtualHost,
  options: LibvirtBackendOptions,
): GuestBackend {
  const uri = host.spec.libvirt?.uri ?? '';
  return {
    unsuitable(guest) {
      const declared = guest.spec.virtualHostRef.hypervisor;
      const runs = host.spec.libvirt?.hypervisor;
      if (declared && declared !== runs)
        return {
          reason: 'HypervisorMismatch',
          message: `virtualHostRef.hypervisor is ${declared} but VirtualHost ${host.metadata.name} declares ${runs}`,
        };
      return undefined;
    },

    async ensure(guest: GuestDomain, keys: GuestKeys): Promise<GuestStep> {
      const key = objectKey(guest.metadata);
      const names = guestNames(guest);
      const notes: EventNote[] = [];
      let domain: DomainObservation | undefined = await hypervisor.lookup(names.domain);
      let failure: GuestStep['failure'];
      let startedNow = false;
      const halted = guest.spec.runStrategy === 'Halted';
      try {
        if (!domain) {
          domain = await provisionDomain(hypervisor, guest, host, names, keys);
          notes.push({ type: 'Normal', reason: 'Defined', message: `defined domain ${names.domain}` });
        }
        if (!halted && domain.state !== 'running') {
          const wasRunning = findCondition(guest.status?.conditions, 'Running')?.status === 'True';
          await hypervisor.start(names.domain);
          startedNow = true;
          notes.push(
            wasRunning
              ? {
                  type: 'Warning',
                  reason: 'Restarted',
                  message: `the domain was found ${domain.state}; started it again (runStrategy Always)`,
                }
              : { type: 'Normal', reason: 'Started', message: `started domain ${names.domain}` },
          );
          domain = (await hypervisor.lookup(names.domain)) ?? domain;
        } else if (halted && domain.state === 'running') {
          const since = options.shutdownRequested.get(key) ?? Date.now();
          options.shutdownRequested.set(key, since);
          if (Date.now() - since > options.shutdownGraceMs) {
            await hypervisor.destroy(names.domain);
            notes.push({
              type: 'Warning',
              reason: 'Destroyed',
              message: `the guest did not shut down within ${options.shutdownGraceMs / 1000} s`,
            });
          } else {
            await hypervisor.shutdown(names.domain);
          }
          domain = (await hypervisor.lookup(names.domain)) ?? domain;
        }
      } catch (error) {
        if (!(error instanceof ProvisionError)) throw error;
        failure = { reason: error.reason, message: error.message };
      }
      if (!halted || domain?.state !== 'running') options.shutdownRequested.delete(key);
      return {
        ...(domain && { domain }),
        ...(failure && { failure }),
        startedNow,
        notes,
        reportedBy: 'libvirt',
        consoleTail: () => hypervisor.consoleLog(names.domain, { tailBytes: 16 * 1024 }),
      };
    },

    async remove(guest) {
      options.shutdownRequested.delete(objectKey(guest.metadata));
      await teardownDomain(hypervisor, guestNames(guest));
      return true;
    },

    reach(guest, step): GuestReach {
      const forwards = guest.spec.network?.mode === 'user' ? (guest.spec.network.hostForwards ?? []) : [];
      const own = (step.addresses ?? []).find((a) => a.type === 'InternalIP' || a.type === 'ExternalIP');
      const endpoints =
        forwards.length > 0 ? forwardedEndpoints(forwards, uri) : addressEndpoints(own?.address);
      return {
        addresses: step.addresses ?? hostForwardAddresses(forwards),
        endpoints,
        noSshBecause:
          forwards.length > 0
            ? 'no forward of port 22 that the operator can reach (one on a local host, or on a remote host address of its own)'
            : 'no address of the guest is known yet',
      };
    },
  };
}
