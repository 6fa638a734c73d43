// A GuestDomain on a libvirt VirtualHost: disk, seed and domain on the host, run state through
// libvirt, the guest reached through its host's forwards (user mode) or at its own address.
import type { GuestDomain, GuestDomainStatusAddress, VirtualHost } from '../../api/types.generated.js';
import { findCondition } from '../../kube/conditions.js';
import type { EventNote } from '../../kube/events.js';
import { objectKey } from '../../kube/resourcePath.js';
import { addressEndpoints, forwardedEndpoints } from '../../guest/access/endpoints.js';
import { hostForwardAddresses } from '../../guest/access/forwards.js';
import type { GuestKeys } from '../../guest/access/sshKeys.js';
import type { DomainObservation } from '../../providers/libvirt/guests.js';
import type { AddressSource } from '../../providers/libvirt/interfaceAddresses.js';
import type { GuestBackend, GuestReach, GuestStep } from './backend.js';
import { guestNames } from './plan.js';
import { resizePlan } from './resize.js';
import {
  madeFor,
  NAME_CONFLICT,
  nameConflictMessage,
  provisionDomain,
  ProvisionError,
  teardownDomain,
  type GuestHypervisor,
} from './provision.js';

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
      if (domain && !madeFor(domain, guest))
        // Not started, stopped, resized or read (its console is someone else's).
        return {
          failure: { reason: NAME_CONFLICT, message: nameConflictMessage(names.domain) },
          startedNow: false,
          notes: [],
          reportedBy: 'libvirt',
        };
      let failure: GuestStep['failure'];
      let startedNow = false;
      let restartPending: string | undefined;
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
        const resized = await followSize(hypervisor, guest, domain);
        notes.push(...resized.notes);
        restartPending = resized.pendingRestart;
      } catch (error) {
        if (!(error instanceof ProvisionError)) throw error;
        failure = { reason: error.reason, message: error.message };
      }
      if (!halted || domain?.state !== 'running') options.shutdownRequested.delete(key);
      const addresses =
        domain?.state === 'running' && guest.spec.network?.mode !== 'user'
          ? await discoverAddresses(hypervisor, guest, names.domain)
          : undefined;
      return {
        ...(domain && { domain }),
        ...(addresses && { addresses }),
        ...(failure && { failure }),
        ...(restartPending && { restartPending }),
        startedNow,
        notes,
        reportedBy: 'libvirt',
        consoleTail: () => hypervisor.consoleLog(names.domain, { tailBytes: 16 * 1024 }),
      };
    },

    async remove(guest) {
      options.shutdownRequested.delete(objectKey(guest.metadata));
      // A domain under its name that is not its own stays: the finalizer goes, nothing is touched.
      await teardownDomain(hypervisor, guestNames(guest), guest);
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

const MAX_ADDRESSES = 4;

/**
 * A bridged or networked guest's own addresses, each with where it was learnt: a static address as
 * declared (GuestReady then checks it by reaching it); else the DHCP lease of its libvirt network;
 * else what the guest agent reports (any network). IPv4 first. An agent not up yet is no address.
 */
async function discoverAddresses(
  hypervisor: GuestHypervisor,
  guest: GuestDomain,
  domain: string,
): Promise<GuestDomainStatusAddress[]> {
  const declared = guest.spec.network?.ipv4?.address;
  if (declared)
    return [{ type: 'InternalIP', address: declared.split('/')[0] ?? declared, source: 'Static' }];
  const attempts: { source: AddressSource; recorded: 'DHCPLease' | 'GuestAgent' }[] = [
    ...((guest.spec.network?.mode ?? 'default') === 'default'
      ? [{ source: 'lease' as const, recorded: 'DHCPLease' as const }]
      : []),
    { source: 'agent', recorded: 'GuestAgent' },
  ];
  for (const attempt of attempts) {
    const found = await hypervisor.interfaceAddresses(domain, attempt.source).catch(() => []);
    if (found.length === 0) continue;
    const ordered = [
      ...found.filter((a) => a.family === 'ipv4'),
      ...found.filter((a) => a.family === 'ipv6'),
    ];
    return [...new Set(ordered.map((a) => a.address))]
      .slice(0, MAX_ADDRESSES)
      .map((address) => ({ type: 'InternalIP' as const, address, source: attempt.recorded }));
  }
  return [];
}

/**
 * Brings a defined domain to the spec's vcpus and memoryMiB: its definition whenever the spec
 * changed or the domain differs, the running domain live where libvirt can (within its maximums);
 * the rest waits for the next restart. A live change libvirt refuses waits too (its text is not kept).
 */
async function followSize(
  hypervisor: GuestHypervisor,
  guest: GuestDomain,
  domain: DomainObservation,
): Promise<{ notes: EventNote[]; pendingRestart?: string }> {
  const desired = { vcpus: guest.spec.vcpus, memoryMiB: guest.spec.memoryMiB };
  const running = domain.state === 'running';
  const now = domain.sizing;
  if (!now) return { notes: [] };
  const specChanged = guest.status?.observedGeneration !== guest.metadata.generation;
  const differs = now.vcpus !== desired.vcpus || now.memoryMiB !== desired.memoryMiB;
  if (!specChanged && !differs) return { notes: [] };
  const config = running ? ((await hypervisor.definedSizing(domain.name)) ?? now) : now;
  const plan = resizePlan(desired, config, running ? now : undefined);
  const refused: string[] = [];
  for (const step of plan.steps) {
    try {
      await hypervisor.resize(domain.name, step);
    } catch (error) {
      if (step.scope === 'config') throw error;
      refused.push(step.kind === 'vcpus' ? `vcpus → ${step.value}` : `memory → ${step.value} MiB`);
    }
  }
  const pending = [plan.pendingRestart, ...refused].filter(Boolean).join(', ');
  const applied = plan.steps.filter((step) => step.scope === 'live').length - refused.length;
  const notes: EventNote[] =
    plan.steps.length === 0
      ? []
      : [
          {
            type: 'Normal',
            reason: 'Resized',
            message: `vcpus ${desired.vcpus}, memory ${desired.memoryMiB} MiB: defined${applied > 0 ? ', applied live' : ''}${pending ? `; at the next restart: ${pending}` : ''}`,
          },
        ];
  return { notes, ...(pending && { pendingRestart: pending }) };
}
