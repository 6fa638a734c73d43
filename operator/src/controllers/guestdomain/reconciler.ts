import type { Logger } from 'pino';
import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { GuestDomainResource } from '../../api/types.generated.js';
import type { KubeClient } from '../../kube/client.js';
import { applyStatus, sameStatus } from '../../kube/objects.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../kube/finalizers.js';
import { recordEvent, type EventNote } from '../../kube/events.js';
import { findCondition } from '../../kube/conditions.js';
import { objectKey, parseKey, type ResourceType } from '../../kube/resourcePath.js';
import type { ReconcileResult } from '../../manager/controller.js';
import type { Informer } from '../../manager/informer.js';
import type { GuestProber } from './prober.js';
import { probeSettings, readiness } from './readiness.js';
import type { DomainObservation } from '../../providers/libvirt/guests.js';
import { ensureGuestKeys, type GuestKeys } from './sshKeys.js';
import { guestNames, sshEndpoint } from './plan.js';
import { provisionDomain, ProvisionError, teardownDomain, type GuestHypervisor } from './provision.js';
import { desiredGuestStatus, type GuestFinding, type HostFinding } from './status.js';
import {
  applyKubeVirtGuest,
  kubeVirtSshEndpoint,
  notRunningOnKubeVirt,
  removeKubeVirtGuest,
} from './kubevirtGuest.js';
import { kubeVirtNames } from '../../providers/kubevirt/virtualMachine.js';

export const CONTROLLER_NAME = 'guestdomain';
export const GUEST_DOMAINS: ResourceType = GuestDomainResource;
export const FINALIZER = 'servirt.dev/guestdomain';

export interface GuestDomainDeps {
  client: KubeClient;
  guests: Informer<GuestDomain>;
  hosts: Informer<VirtualHost>;
  hypervisorFor(host: VirtualHost): GuestHypervisor;
  /** Readiness probes: they run in the background and enqueue the guest when one finishes. */
  prober: Pick<GuestProber, 'observe' | 'forget'>;
  log: Logger;
  /** How long a Halted guest gets to shut down before it is destroyed. */
  shutdownGraceMs?: number;
  now?: () => string;
}

/** GuestDomain: host check -> finalizer -> disk, seed, domain -> run state -> reach the guest -> status. */
export function guestDomainReconciler(deps: GuestDomainDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  const grace = deps.shutdownGraceMs ?? 60_000;
  // When this process first asked each halting guest to shut down (a restart grants a new grace period).
  const shutdownRequested = new Map<string, number>();
  return async (key: string): Promise<ReconcileResult> => {
    const guest = deps.guests.get(key);
    if (!guest) {
      deps.prober.forget(key);
      return {};
    }
    const host = deps.hosts.get(`${guest.metadata.namespace}/${guest.spec.virtualHostRef.name}`);
    if (guest.metadata.deletionTimestamp) return remove(deps, guest, host);

    const hostFinding = checkHost(guest, host);
    if (hostFinding.kind !== 'ready' || !host) {
      await writeStatus(
        deps,
        guest,
        desiredGuestStatus(guest, { host: hostFinding, guest: notChecked }, now()),
      );
      return { requeueAfterMs: 30_000 };
    }
    const current = (await addFinalizer(deps.client, GUEST_DOMAINS, guest, FINALIZER)) as GuestDomain;
    const keys = await ensureGuestKeys(deps.client, current);
    if (host.spec.provider === 'kubevirt') return reconcileOnKubeVirt(deps, current, host, keys, now());
    const hypervisor = deps.hypervisorFor(host);
    const names = guestNames(current);
    const notes: EventNote[] = [];
    let domain: DomainObservation | undefined = await hypervisor.lookup(names.domain);
    let failure: { reason: string; message: string } | undefined;
    let startedNow = false;
    const halted = current.spec.runStrategy === 'Halted';
    try {
      if (!domain) {
        domain = await provisionDomain(hypervisor, current, host, names, keys);
        notes.push({ type: 'Normal', reason: 'Defined', message: `defined domain ${names.domain}` });
      }
      if (!halted && domain.state !== 'running') {
        const wasRunning = findCondition(current.status?.conditions, 'Running')?.status === 'True';
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
        const since = shutdownRequested.get(key) ?? Date.now();
        shutdownRequested.set(key, since);
        if (Date.now() - since > grace) {
          await hypervisor.destroy(names.domain);
          notes.push({
            type: 'Warning',
            reason: 'Destroyed',
            message: `the guest did not shut down within ${grace / 1000} s`,
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

    if (!halted || domain?.state !== 'running') shutdownRequested.delete(key);
    // A guest on its way down is not asked anything: GuestReady matters only while it should run.
    const probing = domain?.state === 'running' && !startedNow && !halted;
    if (!probing) deps.prober.forget(key);
    const guestFinding = probing
      ? probe(deps, key, current, keys, sshEndpoint(current, host.spec.libvirt?.uri ?? ''), () =>
          hypervisor.consoleLog(names.domain, { tailBytes: 16 * 1024 }),
        )
      : notChecked;
    const status = desiredGuestStatus(
      current,
      {
        host: hostFinding,
        ...(domain && { domain }),
        ...(failure && { failure }),
        guest: guestFinding,
        startedNow,
      },
      now(),
    );
    await writeStatus(deps, current, status);
    for (const note of notes) await event(deps, current, note);
    if (failure) return { requeueAfterMs: 60_000 };
    return { requeueAfterMs: requeueAfter(current, status) };
  };
}

/** Soon while something is changing; at the probe period once the guest is up (or down). */
function requeueAfter(guest: GuestDomain, status: GuestDomain['status']): number {
  if (status?.phase === 'Stopped') return 10_000;
  const periodMs = probeSettings(guest).periodSeconds * 1000;
  return status?.phase === 'Running' ? Math.max(periodMs, 10_000) : Math.min(periodMs, 3_000);
}

const notChecked: GuestFinding = {
  kind: 'notChecked',
  reason: 'NotRunning',
  message: 'the guest is not running',
};

function checkHost(guest: GuestDomain, host: VirtualHost | undefined): HostFinding {
  const hostName = guest.spec.virtualHostRef.name;
  if (!host)
    return { kind: 'notReady', reason: 'HostNotFound', message: `VirtualHost ${hostName} does not exist` };
  if (host.spec.provider === 'kubevirt') {
    const declared = guest.spec.virtualHostRef.hypervisor;
    if (declared && declared !== 'kvm')
      return {
        kind: 'notReady',
        reason: 'HypervisorMismatch',
        message: `virtualHostRef.hypervisor is ${declared} but KubeVirt VirtualHost ${hostName} runs kvm`,
      };
    return findCondition(host.status?.conditions, 'Ready')?.status === 'True'
      ? { kind: 'ready' }
      : { kind: 'notReady', reason: 'HostNotReady', message: `VirtualHost ${hostName} is not Ready` };
  }
  if (host.spec.provider !== 'libvirt' || !host.spec.libvirt) {
    return {
      kind: 'notReady',
      reason: 'ProviderNotSupported',
      message: `VirtualHost ${hostName} uses provider ${host.spec.provider}, not supported yet`,
    };
  }
  const declared = guest.spec.virtualHostRef.hypervisor;
  if (declared && declared !== host.spec.libvirt.hypervisor) {
    return {
      kind: 'notReady',
      reason: 'HypervisorMismatch',
      message: `virtualHostRef.hypervisor is ${declared} but VirtualHost ${hostName} declares ${host.spec.libvirt.hypervisor}`,
    };
  }
  if (findCondition(host.status?.conditions, 'Ready')?.status !== 'True') {
    return { kind: 'notReady', reason: 'HostNotReady', message: `VirtualHost ${hostName} is not Ready` };
  }
  return { kind: 'ready' };
}

/** The KubeVirt path: Secret and VirtualMachine, then the same status as a libvirt guest. */
async function reconcileOnKubeVirt(
  deps: GuestDomainDeps,
  guest: GuestDomain,
  host: VirtualHost,
  keys: GuestKeys,
  now: string,
): Promise<ReconcileResult> {
  const step = await applyKubeVirtGuest(deps.client, guest, host, keys);
  const observation = step.observation;
  const halted = guest.spec.runStrategy === 'Halted';
  const key = objectKey(guest.metadata);
  const probing = observation?.domain.state === 'running' && !halted;
  if (!probing) deps.prober.forget(key);
  const guestFinding = probing
    ? probe(deps, key, guest, keys, kubeVirtSshEndpoint(observation))
    : notRunningOnKubeVirt(observation);
  const status = desiredGuestStatus(
    guest,
    {
      host: { kind: 'ready' },
      ...(observation && {
        domain: observation.domain,
        addresses: observation.addresses,
        reportedBy: 'KubeVirt',
      }),
      ...(step.failure && { failure: step.failure }),
      guest: guestFinding,
      startedNow: step.created,
    },
    now,
  );
  await writeStatus(deps, guest, status);
  if (step.created)
    await event(deps, guest, {
      type: 'Normal',
      reason: 'Created',
      message: `created VirtualMachine ${kubeVirtNames(guest, host).namespace}/${kubeVirtNames(guest, host).vm}`,
    });
  if (step.failure) return { requeueAfterMs: 30_000 };
  return { requeueAfterMs: requeueAfter(guest, status) };
}

/** What the readiness probes say of this guest so far; starts the next probe when one is due. */
function probe(
  deps: GuestDomainDeps,
  key: string,
  guest: GuestDomain,
  keys: GuestKeys,
  endpoint: { host: string; port: number } | undefined,
  consoleTail?: () => Promise<string>,
): GuestFinding {
  if (!endpoint) {
    return {
      kind: 'notChecked',
      reason: 'NoReachableAddress',
      message: 'no SSH forward on a local host to reach the guest by',
    };
  }
  const settings = probeSettings(guest);
  const startTime = guest.status?.startTime;
  const history = deps.prober.observe(key, {
    incarnation: `${guest.metadata.uid ?? ''} ${startTime ?? ''}`,
    endpoint: {
      ...endpoint,
      username: 'root',
      privateKey: keys.clientPrivate,
      hostPublicKey: keys.hostPublic,
    },
    settings,
    startedAtMs: startTime ? Date.parse(startTime) : 0,
    ...(consoleTail && { consoleTail }),
  });
  const wasReady = findCondition(guest.status?.conditions, 'GuestReady')?.status === 'True';
  const verdict = readiness(history, settings, wasReady);
  if (verdict.ready) return { kind: 'reached' };
  if (verdict.reason === 'NotProbed')
    return { kind: 'notChecked', reason: 'Probing', message: verdict.message };
  return { kind: 'unreachable', reason: verdict.reason, message: verdict.message };
}

async function remove(
  deps: GuestDomainDeps,
  guest: GuestDomain,
  host: VirtualHost | undefined,
): Promise<ReconcileResult> {
  if (!hasFinalizer(guest, FINALIZER)) return {};
  if (host?.spec.provider === 'kubevirt') {
    // Owner references would do it where a garbage collector runs; the finalizer makes sure.
    if (!(await removeKubeVirtGuest(deps.client, guest, host))) return { requeueAfterMs: 2_000 };
  } else if (host?.spec.libvirt) {
    await teardownDomain(deps.hypervisorFor(host), guestNames(guest));
  } else {
    await event(deps, guest, {
      type: 'Warning',
      reason: 'HostGone',
      message: `VirtualHost ${guest.spec.virtualHostRef.name} is gone: domain ${guestNames(guest).domain} may be left on it`,
    });
  }
  await removeFinalizer(deps.client, GUEST_DOMAINS, guest, FINALIZER);
  return {};
}

async function writeStatus(
  deps: GuestDomainDeps,
  guest: GuestDomain,
  status: GuestDomain['status'],
): Promise<void> {
  if (sameStatus(status, guest.status)) return;
  await applyStatus(deps.client, GUEST_DOMAINS, CONTROLLER_NAME, parseKey(objectKey(guest.metadata)), status);
}

async function event(deps: GuestDomainDeps, guest: GuestDomain, note: EventNote): Promise<void> {
  const failed = await recordEvent(deps.client, CONTROLLER_NAME, guest, note);
  if (failed) deps.log.warn({ err: failed }, 'could not record an event');
}
