import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import type { KubeClient } from '../../kube/client.js';
import type { EventNote } from '../../kube/events.js';
import type { PeerAddress, PrimaryZoneConfig, TsigKeyConfig } from '../../guest/bind/model.js';
import { querySoaSerial } from '../../dns/client.js';
import { readGuestKeys } from '../../guest/access/sshKeys.js';
import { absoluteOrigin, zoneServerNames, type DesiredZone } from './desired.js';
import type { KeyCache } from './keyCache.js';
import { catalogZoneName, serverConfigFor, type ServerConfigInputs } from './serverConfig.js';
import type { ServerLookup, ZoneServer } from './servers.js';
import type { ServerAccess, ZoneServing } from './serving.js';
import { compareSerials, type ServerSerial } from './status.js';
import {
  ensureTransferKey,
  readKey,
  transferKeyName,
  transferKeySecretName,
  zoneKeyName,
  zoneKeySecretName,
} from './tsigKeys.js';

/** One reconcile's view of a zone and of the namespace around it. */
export interface ZoneContext {
  zone: DnsZone;
  client: KubeClient;
  serving: ZoneServing;
  keys: KeyCache;
  zonesHere: DnsZone[];
  sitesHere: WebSite[];
  guestNamed(name: string): GuestDomain | undefined;
  lookup(name: string): ServerLookup;
}

const primaryName = (zone: DnsZone) => zone.spec.primary.guestRef.name;
const secondaryNames = (zone: DnsZone) => (zone.spec.secondaries ?? []).map((s) => s.guestRef.name);

/** Everything between a valid spec and the records on the primary. Returns Events worth recording. */
export async function serveZone(
  context: ZoneContext,
  desired: DesiredZone,
  primary: ZoneServer,
  zoneKey: TsigKeyConfig,
): Promise<EventNote[]> {
  const { zone, serving } = context;
  const notes: EventNote[] = [];
  const primaryGuest = context.guestNamed(primary.guest) as GuestDomain;
  const transferKey = await ensureTransferKey(context.client, primaryGuest);
  context.keys.set(`transfer ${primaryGuest.metadata.namespace}/${primary.guest}`, transferKey);
  context.keys.set(`zone ${zone.metadata.uid}`, zoneKey);
  const secondaries = foundServers(context, secondaryNames(zone));

  await applyServerConfigs(context, [primary, ...secondaries]);

  const zoneConfig: PrimaryZoneConfig = {
    origin: zone.spec.origin,
    updateKey: zoneKey.name,
    transferKeys: [transferKey.name],
    notify: secondaries.map((s) => ({ peer: s.peer, key: transferKey.name })),
    ...(zone.spec.dnssec && { dnssecPolicy: zone.spec.dnssec.policy }),
  };
  const outcome = await serving.ensurePrimaryZone(accessFor(context, primary), zoneConfig, desired);
  if (outcome === 'added')
    notes.push({
      type: 'Normal',
      reason: 'ZoneAdded',
      message: `added ${desired.origin} on ${primary.guest}`,
    });

  const changed = await serving.ensureRecords(primary, desired, zoneKey);
  if (changed > 0 && outcome !== 'added')
    notes.push({
      type: 'Normal',
      reason: 'RecordsUpdated',
      message: `updated ${changed} RRsets on ${primary.guest}`,
    });

  for (const secondary of secondaries) {
    const catalog = catalogZoneName(primary.guest, secondary.guest);
    await serving.ensureMembership(primary, catalog, zone.spec.origin + '.', transferKey, true);
  }
  const wanted = new Set(secondaryNames(zone));
  const dropped = (zone.status?.serials ?? []).filter((s) => s.role === 'secondary' && !wanted.has(s.server));
  for (const secondary of dropped) {
    const catalog = catalogZoneName(primary.guest, secondary.server);
    await serving
      .ensureMembership(primary, catalog, zone.spec.origin + '.', transferKey, false)
      .catch(() => false);
  }
  return notes;
}

/** Takes the zone off its servers; the zone must already be excluded from context.zonesHere's live zones. */
export async function removeZone(context: ZoneContext, primary: ZoneServer): Promise<void> {
  const { zone, serving } = context;
  const namespace = zone.metadata.namespace ?? '';
  const transferKey = await readKey(
    context.client,
    namespace,
    transferKeySecretName(primary.guest),
    transferKeyName(primary.guest),
    'hmac-sha256',
  );
  const listed = new Set([
    ...secondaryNames(zone),
    ...(zone.status?.serials ?? []).filter((s) => s.role === 'secondary').map((s) => s.server),
  ]);
  if (transferKey) {
    for (const secondary of listed) {
      const catalog = catalogZoneName(primary.guest, secondary);
      await serving
        .ensureMembership(primary, catalog, zone.spec.origin + '.', transferKey, false)
        .catch(() => false);
    }
  }
  await serving.deletePrimaryZone(accessFor(context, primary), zone.spec.origin);
  await applyServerConfigs(context, [primary, ...foundServers(context, [...listed])]);
}

/** The SOA serial on every server of the zone. */
export async function observeSerials(context: ZoneContext): Promise<ServerSerial[]> {
  const { zone } = context;
  const names = zoneServerNames(zone);
  return Promise.all(
    names.map(async (name, index): Promise<ServerSerial> => {
      const role = index === 0 ? 'primary' : 'secondary';
      const found = context.lookup(name);
      if (found.kind === 'problem') return { server: name, role, problem: found.message };
      try {
        const serial = await querySoaSerial(found.server.dns, absoluteOrigin(zone), {
          transport: 'tcp',
          timeoutMs: 2_000,
        });
        return serial === undefined
          ? { server: name, role, problem: 'not authoritative for the zone (yet)' }
          : { server: name, role, serial };
      } catch (error) {
        return { server: name, role, problem: (error as Error).message };
      }
    }),
  );
}

/** How long a secondary may stay behind the primary's serial before it is asked to refresh. */
const STUCK_MS = 10_000;

/**
 * Secondaries still behind a primary serial that was already there STUCK_MS ago missed a NOTIFY
 * (they were down, say): ask them to refresh now rather than at their SOA refresh time.
 * Returns the servers asked.
 */
export async function nudgeStuckSecondaries(
  context: ZoneContext,
  serials: ServerSerial[],
  now: number,
): Promise<string[]> {
  const primary = serials.find((s) => s.role === 'primary');
  const primaryBefore = context.zone.status?.serials?.find((s) => s.role === 'primary');
  if (primary?.serial === undefined || primaryBefore?.serial !== primary.serial || !primaryBefore.checkTime)
    return [];
  if (now - Date.parse(primaryBefore.checkTime) < STUCK_MS) return [];
  const stuck = serials.filter(
    (s) =>
      s.role === 'secondary' &&
      s.serial !== undefined &&
      compareSerials(s.serial, primary.serial as number) === -1,
  );
  const asked: string[] = [];
  for (const secondary of stuck) {
    const found = context.lookup(secondary.server);
    if (found.kind !== 'found') continue;
    try {
      await context.serving.refreshSecondary(accessFor(context, found.server), context.zone.spec.origin);
      asked.push(secondary.server);
    } catch {
      // Unreachable over SSH: the status already says it is behind.
    }
  }
  return asked;
}

function foundServers(context: ZoneContext, names: string[]): ZoneServer[] {
  return names.flatMap((name) => {
    const found = context.lookup(name);
    return found.kind === 'found' ? [found.server] : [];
  });
}

async function applyServerConfigs(context: ZoneContext, servers: ZoneServer[]): Promise<void> {
  const inputs = await configInputs(
    context,
    servers.map((s) => s.guest),
  );
  await Promise.all(
    servers.map((server) =>
      context.serving.ensureServerConfig(accessFor(context, server), serverConfigFor(server.guest, inputs)),
    ),
  );
}

/** The keys and peers the configurations of these servers depend on: every live zone that touches them. */
async function configInputs(context: ZoneContext, servers: string[]): Promise<ServerConfigInputs> {
  const involved = new Set(servers);
  const namespace = context.zone.metadata.namespace ?? '';
  const zones = context.zonesHere.filter(
    (z) => !z.metadata.deletionTimestamp && zoneServerNames(z).some((name) => involved.has(name)),
  );
  const zoneKeys = new Map<string, TsigKeyConfig>();
  const transferKeys = new Map<string, TsigKeyConfig>();
  const peers = new Map<string, PeerAddress>();
  for (const z of zones) {
    const primary = primaryName(z);
    if (involved.has(primary)) {
      const algorithm = z.spec.tsig?.algorithm ?? 'hmac-sha256';
      const key = await context.keys.get(`zone ${z.metadata.uid}`, () =>
        readKey(context.client, namespace, zoneKeySecretName(z), zoneKeyName(z), algorithm),
      );
      if (key) zoneKeys.set(z.metadata.uid ?? '', key);
    }
    const transfer = await context.keys.get(`transfer ${namespace}/${primary}`, () =>
      readKey(
        context.client,
        namespace,
        transferKeySecretName(primary),
        transferKeyName(primary),
        'hmac-sha256',
      ),
    );
    if (transfer) transferKeys.set(primary, transfer);
    for (const name of zoneServerNames(z)) {
      const found = context.lookup(name);
      if (found.kind === 'found') peers.set(name, found.server.peer);
    }
  }
  return { zones, zoneKeys, transferKeys, peers };
}

function accessFor(context: ZoneContext, server: ZoneServer): ServerAccess {
  const guest = context.guestNamed(server.guest);
  const namespace = context.zone.metadata.namespace ?? '';
  return {
    server,
    id: guest?.metadata.uid ?? server.guest,
    credentials: async () => {
      const keys = await readGuestKeys(context.client, namespace, server.guest);
      return { clientPrivateKey: keys.clientPrivate, hostPublicKey: keys.hostPublic };
    },
  };
}
