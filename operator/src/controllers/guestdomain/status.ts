import type { GuestDomain, GuestDomainStatus, GuestDomainStatusAddress } from '../../api/types.generated.js';
import type { GuestEndpoint } from '../../guest/access/endpoints.js';
import { findCondition, setConditions, type ConditionUpdate } from '../../kube/conditions.js';
import type { DomainObservation } from '../../providers/libvirt/guests.js';
import { probeSettings } from './readiness.js';

export type HostFinding = { kind: 'ready' } | { kind: 'notReady'; reason: string; message: string };

export type GuestFinding =
  | { kind: 'reached' }
  | { kind: 'unreachable'; reason: string; message: string }
  | { kind: 'notChecked'; reason: string; message: string };

export interface GuestObservation {
  host: HostFinding;
  /** The domain as it is after this reconcile's changes. */
  domain?: DomainObservation;
  /** Provisioning failed for a reason the user must fix (a missing base image, a bad platform). */
  failure?: { reason: string; message: string };
  guest: GuestFinding;
  /** When the operator started the domain, if it did in this reconcile. */
  startedNow?: boolean;
  /** What of the spec the running guest gets only at its next restart. */
  restartPending?: string;
  /** The guest's addresses (its own, or its host's forwards), published while it runs. */
  addresses?: GuestDomainStatusAddress[];
  /** Where the guest's services are reached, published while it runs. */
  endpoints?: GuestEndpoint[];
  /** Who reports the domain's state; libvirt unless said. */
  reportedBy?: string;
}

/** The status a GuestDomain should have. Pure: the clock comes in as now. */
export function desiredGuestStatus(
  guest: GuestDomain,
  observation: GuestObservation,
  now: string,
): GuestDomainStatus {
  const previous = guest.status;
  const generation = guest.metadata.generation;
  const halted = guest.spec.runStrategy === 'Halted';
  const { domain, host, failure } = observation;
  const running = domain?.state === 'running';
  const reached = observation.guest.kind === 'reached';
  const at = (update: ConditionUpdate): ConditionUpdate =>
    generation === undefined ? update : { ...update, observedGeneration: generation };

  const updates: ConditionUpdate[] = [];
  let phase: GuestDomainStatus['phase'];
  if (host.kind !== 'ready') {
    phase = 'Pending';
    updates.push(at({ type: 'Ready', status: 'False', reason: host.reason, message: host.message }));
  } else if (failure) {
    phase = 'Failed';
    updates.push(at({ type: 'Defined', status: 'False', reason: failure.reason, message: failure.message }));
    updates.push(at({ type: 'Ready', status: 'False', reason: failure.reason, message: failure.message }));
  } else if (!domain) {
    phase = 'Defining';
    updates.push(
      at({
        type: 'Defined',
        status: 'False',
        reason: 'Defining',
        message: 'creating the disk, seed and domain',
      }),
    );
    updates.push(
      at({ type: 'Ready', status: 'False', reason: 'Defining', message: 'the domain is being defined' }),
    );
  } else {
    updates.push(
      at({ type: 'Defined', status: 'True', reason: 'Defined', message: `domain ${domain.name}` }),
    );
    updates.push(
      at({
        type: 'Running',
        status: running ? 'True' : 'False',
        reason: running ? 'Running' : domain.state === 'shutoff' ? 'ShutOff' : 'NotRunning',
        message: `${observation.reportedBy ?? 'libvirt'} reports the domain ${running ? 'running' : domain.state}`,
      }),
    );
    const guestReady: ConditionUpdate =
      observation.guest.kind === 'reached'
        ? {
            type: 'GuestReady',
            status: 'True',
            reason: 'Reached',
            message: 'reached over SSH with the pinned host key',
          }
        : observation.guest.kind === 'unreachable'
          ? {
              type: 'GuestReady',
              status: 'False',
              reason: observation.guest.reason,
              message: observation.guest.message,
            }
          : {
              type: 'GuestReady',
              status: running ? 'Unknown' : 'False',
              reason: observation.guest.reason,
              message: observation.guest.message,
            };
    updates.push(at(guestReady));
    updates.push(
      at(
        observation.restartPending
          ? {
              type: 'RestartPending',
              status: 'True',
              reason: 'RestartRequired',
              message: `the definition has the new size; the running guest gets it at its next restart: ${observation.restartPending}`,
            }
          : {
              type: 'RestartPending',
              status: 'False',
              reason: 'UpToDate',
              message: 'the guest runs as specified',
            },
      ),
    );
    if (halted) {
      phase = running ? 'Stopping' : 'Stopped';
      updates.push(
        at({
          type: 'Ready',
          status: running ? 'False' : 'True',
          reason: running ? 'Stopping' : 'Halted',
          message: running
            ? 'shutting the guest down (runStrategy Halted)'
            : 'defined and shut down as declared',
        }),
      );
    } else {
      phase = running && reached ? 'Running' : 'Starting';
      updates.push(
        at(
          running && reached
            ? { type: 'Ready', status: 'True', reason: 'Running', message: 'running and reachable' }
            : notReadyYet(guest, previous?.startTime, guestReady, now),
        ),
      );
    }
  }

  const conditions = setConditions(previous?.conditions, updates, now);
  const startTime = observation.startedNow ? now : running ? previous?.startTime : undefined;
  const wasReady = findCondition(previous?.conditions, 'GuestReady')?.status === 'True';
  let bootSeconds = previous?.bootSeconds;
  if (reached && !wasReady && startTime)
    bootSeconds = Math.round((Date.parse(now) - Date.parse(startTime)) / 100) / 10;

  return {
    ...(generation !== undefined && { observedGeneration: generation }),
    phase,
    ...(domain && { domainUUID: domain.uuid }),
    ...(running && observation.addresses?.length && { addresses: observation.addresses }),
    ...(running && observation.endpoints?.length && { endpoints: observation.endpoints }),
    ...(startTime && { startTime }),
    ...(bootSeconds !== undefined && { bootSeconds }),
    ...(domain?.consoleLog && { consoleLog: domain.consoleLog }),
    conditions,
  };
}

/** Ready while a started guest is not GuestReady: past its expected boot time, say what was seen last. */
function notReadyYet(
  guest: GuestDomain,
  startTime: string | undefined,
  guestReady: ConditionUpdate,
  now: string,
): ConditionUpdate {
  const expected = probeSettings(guest).expectedBootSeconds;
  const elapsed = startTime ? (Date.parse(now) - Date.parse(startTime)) / 1000 : 0;
  if (elapsed > expected)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'NotReadyInTime',
      message: `not GuestReady within ${expected} s of its start: ${guestReady.reason}: ${guestReady.message}`,
    };
  return {
    type: 'Ready',
    status: 'False',
    reason: 'Starting',
    message: 'waiting for the guest to boot and answer',
  };
}
