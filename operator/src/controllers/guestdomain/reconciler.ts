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
import { ensureGuestKeys, type GuestKeys } from '../../guest/access/sshKeys.js';
import type { GuestBackend, GuestReach } from './backend.js';
import { desiredGuestStatus, type GuestFinding, type HostFinding } from './status.js';

export const CONTROLLER_NAME = 'guestdomain';
export const GUEST_DOMAINS: ResourceType = GuestDomainResource;
export const FINALIZER = 'servirt.dev/guestdomain';

export interface GuestDomainDeps {
  client: KubeClient;
  guests: Informer<GuestDomain>;
  hosts: Informer<VirtualHost>;
  /** The backend of a VirtualHost's provider; undefined when servirt does not support it. */
  backendFor(host: VirtualHost): GuestBackend | undefined;
  /** Readiness probes: they run in the background and enqueue the guest when one finishes. */
  prober: Pick<GuestProber, 'observe' | 'forget'>;
  log: Logger;
  now?: () => string;
}

/** GuestDomain: host check -> finalizer -> the backend's ensure -> reach the guest -> status. */
export function guestDomainReconciler(deps: GuestDomainDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  return async (key: string): Promise<ReconcileResult> => {
    const guest = deps.guests.get(key);
    if (!guest) {
      deps.prober.forget(key);
      return {};
    }
    const host = deps.hosts.get(`${guest.metadata.namespace}/${guest.spec.virtualHostRef.name}`);
    const backend = host && deps.backendFor(host);
    if (guest.metadata.deletionTimestamp) return remove(deps, guest, backend);

    const hostFinding = checkHost(guest, host, backend);
    if (hostFinding.kind !== 'ready' || !backend) {
      deps.prober.forget(key);
      await writeStatus(
        deps,
        guest,
        desiredGuestStatus(guest, { host: hostFinding, guest: notChecked() }, now()),
      );
      return { requeueAfterMs: 30_000 };
    }
    const current = (await addFinalizer(deps.client, GUEST_DOMAINS, guest, FINALIZER)) as GuestDomain;
    const keys = await ensureGuestKeys(deps.client, current);
    const step = await backend.ensure(current, keys);
    const reach = backend.reach(current, step);
    const halted = current.spec.runStrategy === 'Halted';
    // A guest on its way down is not asked anything: GuestReady matters only while it should run.
    const probing = step.domain?.state === 'running' && !step.startedNow && !halted;
    if (!probing) deps.prober.forget(key);
    const guestFinding = probing
      ? probe(deps, key, current, keys, reach, step.consoleTail)
      : notChecked(step.notRunningMessage);
    const status = desiredGuestStatus(
      current,
      {
        host: hostFinding,
        ...(step.domain && { domain: step.domain }),
        addresses: reach.addresses,
        endpoints: reach.endpoints,
        ...(step.failure && { failure: step.failure }),
        guest: guestFinding,
        startedNow: step.startedNow,
        ...(step.restartPending && { restartPending: step.restartPending }),
        reportedBy: step.reportedBy,
      },
      now(),
    );
    await writeStatus(deps, current, status);
    for (const note of step.notes) await event(deps, current, note);
    if (step.failure) return { requeueAfterMs: 30_000 };
    return { requeueAfterMs: requeueAfter(current, status) };
  };
}

/** Soon while something is changing; at the probe period once the guest is up (or down). */
function requeueAfter(guest: GuestDomain, status: GuestDomain['status']): number {
  if (status?.phase === 'Stopped') return 10_000;
  const periodMs = probeSettings(guest).periodSeconds * 1000;
  return status?.phase === 'Running' ? Math.max(periodMs, 10_000) : Math.min(periodMs, 3_000);
}

function notChecked(message = 'the guest is not running'): GuestFinding {
  return { kind: 'notChecked', reason: 'NotRunning', message };
}

function checkHost(
  guest: GuestDomain,
  host: VirtualHost | undefined,
  backend: GuestBackend | undefined,
): HostFinding {
  const hostName = guest.spec.virtualHostRef.name;
  if (!host)
    return { kind: 'notReady', reason: 'HostNotFound', message: `VirtualHost ${hostName} does not exist` };
  if (!backend)
    return {
      kind: 'notReady',
      reason: 'ProviderNotSupported',
      message: `VirtualHost ${hostName} uses provider ${host.spec.provider}, not supported yet`,
    };
  const unsuitable = backend.unsuitable(guest);
  if (unsuitable) return { kind: 'notReady', ...unsuitable };
  if (findCondition(host.status?.conditions, 'Ready')?.status !== 'True')
    return { kind: 'notReady', reason: 'HostNotReady', message: `VirtualHost ${hostName} is not Ready` };
  return { kind: 'ready' };
}

/** What the readiness probes say of this guest so far; starts the next probe when one is due. */
function probe(
  deps: GuestDomainDeps,
  key: string,
  guest: GuestDomain,
  keys: GuestKeys,
  reach: GuestReach,
  consoleTail?: () => Promise<string>,
): GuestFinding {
  const ssh = reach.endpoints.find((e) => e.service === 'ssh')?.fromOperator;
  if (!ssh) return { kind: 'notChecked', reason: 'NoReachableAddress', message: reach.noSshBecause };
  const endpoint = { host: ssh.address, port: ssh.port };
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
  backend: GuestBackend | undefined,
): Promise<ReconcileResult> {
  if (!hasFinalizer(guest, FINALIZER)) return {};
  deps.prober.forget(objectKey(guest.metadata));
  if (backend) {
    if (!(await backend.remove(guest))) return { requeueAfterMs: 2_000 };
  } else {
    await event(deps, guest, {
      type: 'Warning',
      reason: 'HostGone',
      message: `VirtualHost ${guest.spec.virtualHostRef.name} is gone or unsupported: what guest ${guest.metadata.name} had on it may be left there`,
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
