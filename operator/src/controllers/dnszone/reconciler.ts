import type { Logger } from 'pino';
import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { DnsZoneResource } from '../../api/types.generated.js';
import { ApiError, type KubeClient } from '../../kube/client.js';
import { applyStatus, sameStatus } from '../../kube/objects.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../kube/finalizers.js';
import { recordEvent, type EventNote } from '../../kube/events.js';
import { objectKey, parseKey, type ResourceType } from '../../kube/resourcePath.js';
import type { ReconcileResult } from '../../manager/controller.js';
import type { Informer } from '../../manager/informer.js';
import { DnsError } from '../../dns/client.js';
import { absoluteOrigin, desiredZone, isoTime, zoneServerNames } from './desired.js';
import { zoneServerOf, type ServerLookup } from './servers.js';
import { isConcurrentChange, type ZoneServing } from './serving.js';
import { desiredZoneStatus, type ZoneObservation } from './status.js';
import { KeyProblem, ensureZoneKey, zoneKeySecretName } from './tsigKeys.js';
import {
  nudgeStuckSecondaries,
  observeSerials,
  removeZone,
  serveZone,
  type ZoneContext,
} from './zoneWork.js';
import { KeyCache } from './keyCache.js';

export const CONTROLLER_NAME = 'dnszone';
export const DNS_ZONES: ResourceType = DnsZoneResource;
export const FINALIZER = 'servirt.dev/dnszone';

export interface DnsZoneDeps {
  client: KubeClient;
  zones: Informer<DnsZone>;
  guests: Informer<GuestDomain>;
  /** WebSites publish their host names in the zone their dnsZoneRef names. */
  sites: Informer<WebSite>;
  serving: ZoneServing;
  log: Logger;
  now?: () => string;
}

/** DnsZone: validate -> keys -> server configs -> zone on the primary -> records -> catalogs -> serials -> status. */
export function dnsZoneReconciler(deps: DnsZoneDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  const keys = new KeyCache();
  return async (key: string): Promise<ReconcileResult> => {
    const zone = deps.zones.get(key);
    if (!zone) return {};
    const context = contextFor(deps, zone, keys);
    if (zone.metadata.deletionTimestamp) return remove(deps, context);

    const current = (await addFinalizer(deps.client, DNS_ZONES, zone, FINALIZER)) as DnsZone;
    context.zone = current;
    const plan = desiredZone(current, context.guestNamed, context.zonesHere, context.sitesHere);
    const primary = context.lookup(current.spec.primary.guestRef.name);
    const notes: EventNote[] = [];
    let problem: ZoneObservation['problem'];
    let tsigSecretName: string | undefined;
    let retrySoon = false;
    if (plan.kind === 'invalid') {
      problem = { kind: 'invalid', reason: plan.reason, message: plan.message };
    } else if (primary.kind === 'problem') {
      problem = { kind: 'primary', reason: primary.reason, message: primary.message };
    } else {
      try {
        const zoneKey = await ensureZoneKey(deps.client, current);
        tsigSecretName = zoneKeySecretName(current);
        notes.push(...(await serveZone(context, plan.zone, primary.server, zoneKey)));
      } catch (error) {
        if (error instanceof ApiError) throw error;
        problem = { kind: 'records', ...describeFailure(error) };
        if (isConcurrentChange(error)) {
          retrySoon = true;
          notes.push({ type: 'Warning', reason: 'ConcurrentChange', message: problem.message });
        } else {
          deps.log.warn({ zone: key, err: error }, 'could not serve the zone');
        }
      }
    }

    const serials = await observeSerials(context);
    for (const server of await nudgeStuckSecondaries(context, serials, Date.now()))
      notes.push({
        type: 'Normal',
        reason: 'RefreshRequested',
        message: `${server} stayed behind the primary; asked it to refresh`,
      });
    const status = desiredZoneStatus(
      current,
      { ...(problem && { problem }), serials, ...(tsigSecretName && { tsigSecretName }) },
      now(),
    );
    if (!sameStatus(status, current.status)) {
      await applyStatus(
        deps.client,
        DNS_ZONES,
        CONTROLLER_NAME,
        parseKey(objectKey(current.metadata)),
        status,
      );
    }
    if (
      problem?.kind === 'invalid' &&
      current.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== problem.reason
    )
      notes.push({
        type: 'Warning',
        reason: problem.reason,
        message: `${problem.message}; the zone is served as it was`,
      });
    for (const note of notes) await event(deps, current, note);
    if (retrySoon) return { requeueAfterMs: 200 };
    if (problem) return { requeueAfterMs: 30_000 };
    return { requeueAfterMs: status.inSync ? 60_000 : 1_000 };
  };
}

function contextFor(deps: DnsZoneDeps, zone: DnsZone, keys: KeyCache): ZoneContext {
  const namespace = zone.metadata.namespace ?? '';
  const guestNamed = (name: string) => deps.guests.get(`${namespace}/${name}`);
  return {
    zone,
    client: deps.client,
    serving: deps.serving,
    keys,
    zonesHere: deps.zones.list().filter((z) => z.metadata.namespace === namespace),
    sitesHere: deps.sites.list().filter((site) => site.metadata.namespace === namespace),
    guestNamed,
    lookup: (name: string): ServerLookup => zoneServerOf(guestNamed(name), name),
  };
}

/** Deleting: out of the catalogs, off the primary, out of the server configurations; then the finalizer goes. */
async function remove(deps: DnsZoneDeps, context: ZoneContext): Promise<ReconcileResult> {
  const zone = context.zone;
  if (!hasFinalizer(zone, FINALIZER)) return {};
  const plan = desiredZone(zone, context.guestNamed, context.zonesHere, context.sitesHere);
  // A zone that lost an origin conflict never owned the zone on its servers: leave them alone.
  const owner = !(plan.kind === 'invalid' && plan.reason === 'OriginConflict');
  const primary = context.lookup(zone.spec.primary.guestRef.name);
  const age = Date.now() - Date.parse(isoTime(zone.metadata.deletionTimestamp));
  if (owner && primary.kind === 'found') {
    try {
      await removeZone(context, primary.server);
    } catch (error) {
      if (age < 5 * 60_000) throw error;
      await event(deps, zone, {
        type: 'Warning',
        reason: 'CleanupAbandoned',
        message: `could not remove ${absoluteOrigin(zone)} from its servers for 5 minutes: ${(error as Error).message}`,
      });
    }
  } else if (
    owner &&
    primary.kind === 'problem' &&
    primary.reason !== 'GuestNotFound' &&
    primary.reason !== 'GuestDeleting'
  ) {
    if (age < 5 * 60_000) return { requeueAfterMs: 10_000 };
    await event(deps, zone, {
      type: 'Warning',
      reason: 'CleanupAbandoned',
      message: `${primary.message}: the zone may be left on ${zone.spec.primary.guestRef.name}`,
    });
  }
  await removeFinalizer(deps.client, DNS_ZONES, zone, FINALIZER);
  return {};
}

function describeFailure(error: unknown): { reason: string; message: string } {
  if (error instanceof KeyProblem) return { reason: error.reason, message: error.message };
  if (isConcurrentChange(error))
    return {
      reason: 'ConcurrentChange',
      message: 'the zone changed on the primary while the operator was updating it; reading it again',
    };
  if (error instanceof DnsError)
    return {
      reason: 'UpdateRejected',
      message: `the primary refused the change (${error.rcode}): ${error.message}`,
    };
  return { reason: 'ServerError', message: (error as Error).message };
}

async function event(deps: DnsZoneDeps, zone: DnsZone, note: EventNote): Promise<void> {
  const failed = await recordEvent(deps.client, CONTROLLER_NAME, zone, note);
  if (failed) deps.log.warn({ err: failed }, 'could not record an event');
}

export { zoneServerNames };
