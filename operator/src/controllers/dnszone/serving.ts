import { createHash } from 'node:crypto';
import type { GuestChannel, GuestEndpoint } from '../../guest/channel.js';
import { BindControl } from '../../guest/bind/control.js';
import { renderServerConfig, primaryZoneConfig } from '../../guest/bind/config.js';
import type { BindLayout } from '../../guest/bind/layout.js';
import type { PrimaryZoneConfig, ServerConfig, TsigKeyConfig } from '../../guest/bind/model.js';
import { catalogMemberName, initialZoneFile } from '../../guest/bind/zoneFiles.js';
import { DnsError, query, sendUpdate, transferZone, updateMessageSize } from '../../dns/client.js';
import type { ResourceRecord } from '../../dns/record.js';
import { soaRecord, type DesiredZone } from './desired.js';
import { changedRRsets, soaChange, splitChanges, updateFor } from './diff.js';
import { KeyedLock } from './keyedLock.js';
import type { ZoneServer } from './servers.js';

/** What the operator knows to log in to a guest with. */
export interface ServerAccess {
  server: ZoneServer;
  /** Stable identity of the guest (its uid): caches are per guest incarnation. */
  id: string;
  /** Read only when the guest is logged in to. */
  credentials(): Promise<{ clientPrivateKey: string; hostPublicKey: string }>;
}

const RECHECK_MS = 5 * 60_000;

/**
 * The operator's hands on BIND: server configuration and zones over the guest channel, records
 * and catalog membership over DNS. Remembers what it applied, so that a reconcile of a zone
 * whose servers are already right opens no SSH session; every few minutes it checks again.
 */
export class ZoneServing {
  private readonly appliedConfigs = new Map<string, { hash: string; at: number }>();
  private readonly appliedZones = new Map<string, { config: string; at: number }>();
  private readonly memberships = new Map<string, number>();
  private readonly lock = new KeyedLock();

  constructor(
    /** Where BIND's files are on a server: the same on every guest; per process in tests. */
    private readonly layoutOf: (server: ZoneServer) => BindLayout,
    private readonly connect: (endpoint: GuestEndpoint) => Promise<GuestChannel>,
  ) {}

  /** Writes, validates and reloads a server's configuration when it differs. True when it did. */
  async ensureServerConfig(access: ServerAccess, config: ServerConfig): Promise<boolean> {
    const files = renderServerConfig(this.layoutOf(access.server), config);
    const hash = createHash('sha256').update(JSON.stringify(files)).digest('hex');
    const known = this.appliedConfigs.get(access.id);
    if (known?.hash === hash && Date.now() - known.at < RECHECK_MS) return false;
    return this.lock.run(access.id, async () => {
      const result = await this.withControl(access, (control) => control.applyServerConfig(files));
      this.appliedConfigs.set(access.id, { hash, at: Date.now() });
      return result === 'reloaded';
    });
  }

  /** Adds the zone on the primary (a new zone starts with every desired record) or updates its options. */
  async ensurePrimaryZone(
    access: ServerAccess,
    zone: PrimaryZoneConfig,
    desired: DesiredZone,
  ): Promise<'added' | 'modified' | 'unchanged'> {
    const config = primaryZoneConfig(this.layoutOf(access.server), zone);
    const cacheKey = `${access.id} ${zone.origin}`;
    const known = this.appliedZones.get(cacheKey);
    if (known?.config === config && Date.now() - known.at < RECHECK_MS) return 'unchanged';
    return this.lock.run(access.id, async () => {
      const outcome = await this.withControl(access, async (control) => {
        const existing = await control.zoneConfig(zone.origin);
        if (existing === undefined) {
          // A time-based first serial: a zone deleted and created again starts above its old serials.
          const serial = Math.floor(Date.now() / 1000);
          await control.addZone(
            zone,
            initialZoneFile(desired.origin, soaRecord(desired.soa, desired.origin, serial), desired.records),
          );
          return 'added' as const;
        }
        if (known?.config === config) return 'unchanged' as const;
        await control.modifyZone(zone);
        return 'modified' as const;
      });
      this.appliedZones.set(cacheKey, { config, at: Date.now() });
      return outcome;
    });
  }

  /** Removes the zone from the primary (its files too). */
  async deletePrimaryZone(access: ServerAccess, origin: string): Promise<void> {
    await this.lock.run(access.id, () => this.withControl(access, (control) => control.deleteZone(origin)));
    this.appliedZones.delete(`${access.id} ${origin}`);
  }

  /**
   * Brings the primary's records to the desired ones: reads the zone by AXFR, sends the
   * difference as atomic UPDATEs whose prerequisites fail if someone changed the same RRsets
   * meanwhile (DnsError NXRRSET/YXRRSET). Returns the number of RRsets changed.
   */
  async ensureRecords(server: ZoneServer, desired: DesiredZone, key: TsigKeyConfig): Promise<number> {
    const actual = await transferZone(server.dns, desired.origin, key);
    const changes = changedRRsets(actual, desired.records);
    const actualSoa = actual.find((r) => r.type === 'SOA' && r.name === desired.origin);
    const wantedSoa = soaChange(actualSoa, desired);
    if (changes.length === 0 && !wantedSoa) return 0;
    const batches = splitChanges(changes, (change) => updateMessageSize(updateFor(desired.origin, [change])));
    if (batches.length === 0) batches.push([]);
    for (const [index, batch] of batches.entries()) {
      const soa =
        index === 0 && wantedSoa && actualSoa ? { actual: actualSoa, wanted: wantedSoa } : undefined;
      await sendUpdate(server.dns, updateFor(desired.origin, batch, soa), key);
    }
    return changes.length + (wantedSoa ? 1 : 0);
  }

  /** Lists (or unlists) the zone in a catalog on the primary; the secondary following it adds (or drops) the zone. */
  async ensureMembership(
    primary: ZoneServer,
    catalog: string,
    origin: string,
    key: TsigKeyConfig,
    member: boolean,
  ): Promise<boolean> {
    const owner = catalogMemberName(catalog, origin);
    const cacheKey = `${primary.guest} ${catalog} ${origin}`;
    const checkedAt = this.memberships.get(cacheKey);
    if (member && checkedAt !== undefined && Date.now() - checkedAt < RECHECK_MS) return false;
    const answer = await query(primary.dns, owner, 'PTR', { transport: 'tcp', key });
    const listed =
      answer.rcode === 'NOERROR' && answer.answers.some((r) => r.type === 'PTR' && r.data === origin);
    let changed = false;
    if (member && !listed) {
      const record: ResourceRecord = { name: owner, type: 'PTR', ttl: 0, data: origin };
      await sendUpdate(
        primary.dns,
        {
          zone: `${catalog}.`,
          prerequisites: [],
          deletions: [{ kind: 'rrset', name: owner, type: 'PTR' }],
          additions: [record],
        },
        key,
      );
      changed = true;
    } else if (!member && answer.rcode === 'NOERROR' && answer.answers.length > 0) {
      await sendUpdate(
        primary.dns,
        {
          zone: `${catalog}.`,
          prerequisites: [],
          deletions: [{ kind: 'rrset', name: owner, type: 'PTR' }],
          additions: [],
        },
        key,
      );
      changed = true;
    }
    if (member) this.memberships.set(cacheKey, Date.now());
    else this.memberships.delete(cacheKey);
    return changed;
  }

  /** Asks a secondary that stays behind to refresh the zone now (a NOTIFY it missed while down). */
  async refreshSecondary(access: ServerAccess, origin: string): Promise<void> {
    await this.withControl(access, (control) => control.refreshZone(origin));
  }

  /** Forgets what was applied to a server (after it failed, or when it is replaced). */
  forget(access: ServerAccess): void {
    this.appliedConfigs.delete(access.id);
    for (const key of this.appliedZones.keys())
      if (key.startsWith(`${access.id} `)) this.appliedZones.delete(key);
  }

  private async withControl<T>(access: ServerAccess, use: (control: BindControl) => Promise<T>): Promise<T> {
    const { clientPrivateKey, hostPublicKey } = await access.credentials();
    const channel = await this.connect({
      ...access.server.ssh,
      username: 'root',
      privateKey: clientPrivateKey,
      hostPublicKey,
    });
    try {
      return await use(new BindControl(channel, this.layoutOf(access.server)));
    } catch (error) {
      this.forget(access);
      throw error;
    } finally {
      channel.close();
    }
  }
}

export const isConcurrentChange = (error: unknown) =>
  error instanceof DnsError && (error.rcode === 'NXRRSET' || error.rcode === 'YXRRSET');
