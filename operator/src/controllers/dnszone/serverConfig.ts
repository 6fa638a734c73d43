import { createHash } from 'node:crypto';
import type { DnsZone } from '../../api/types.generated.js';
import type { PeerAddress, ServerConfig, TsigKeyConfig } from '../../guest/bind/model.js';
import { transferKeyName } from './tsigKeys.js';

/** What the server configurations are computed from: every live zone of the namespace and what is known of it. */
export interface ServerConfigInputs {
  zones: readonly DnsZone[];
  /** The zone's own key, by zone uid (absent when its Secret is not readable yet). */
  zoneKeys: ReadonlyMap<string, TsigKeyConfig>;
  /** Each primary's transfer key, by guest name. */
  transferKeys: ReadonlyMap<string, TsigKeyConfig>;
  /** Where each server is reached by the others, by guest name. */
  peers: ReadonlyMap<string, PeerAddress>;
}

/** The catalog zone on primary that lists the zones secondary copies from it. */
export function catalogZoneName(primary: string, secondary: string): string {
  return `${catalogLabel(secondary)}.${catalogLabel(primary)}.catalog.servirt.invalid`;
}

function catalogLabel(guest: string): string {
  // Guest names may contain dots or exceed a label's 63 bytes: such names become a hash.
  if (/^[a-z0-9-]{1,63}$/.test(guest)) return guest;
  return `h-${createHash('sha256').update(guest).digest('hex').slice(0, 20)}`;
}

const primaryOf = (zone: DnsZone) => zone.spec.primary.guestRef.name;
const secondariesOf = (zone: DnsZone) => (zone.spec.secondaries ?? []).map((s) => s.guestRef.name);

/** The server-wide BIND configuration of one guest, from every zone it serves. Pure. */
export function serverConfigFor(guest: string, inputs: ServerConfigInputs): ServerConfig {
  const live = inputs.zones.filter((zone) => !zone.metadata.deletionTimestamp);
  const keys = new Map<string, TsigKeyConfig>();
  const addKey = (key: TsigKeyConfig | undefined) => {
    if (key && !keys.has(key.name)) keys.set(key.name, key);
  };

  const servedFor = new Set<string>();
  const followedFrom = new Set<string>();
  for (const zone of live) {
    if (primaryOf(zone) === guest) {
      addKey(inputs.zoneKeys.get(zone.metadata.uid ?? ''));
      addKey(inputs.transferKeys.get(guest));
      for (const secondary of secondariesOf(zone)) servedFor.add(secondary);
    } else if (secondariesOf(zone).includes(guest)) {
      addKey(inputs.transferKeys.get(primaryOf(zone)));
      followedFrom.add(primaryOf(zone));
    }
  }

  const servedCatalogs = [...servedFor].sort().flatMap((secondary) => {
    const peer = inputs.peers.get(secondary);
    return [
      {
        zone: catalogZoneName(guest, secondary),
        transferKey: transferKeyName(guest),
        notify: peer ? [peer] : [],
      },
    ];
  });
  const followedCatalogs = [...followedFrom].sort().flatMap((primary) => {
    const peer = inputs.peers.get(primary);
    if (!peer || !inputs.transferKeys.has(primary)) return [];
    return [{ zone: catalogZoneName(primary, guest), primary: peer, transferKey: transferKeyName(primary) }];
  });
  const hasKey = (name: string) => keys.has(name);
  return {
    keys: [...keys.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    servedCatalogs: servedCatalogs.filter((c) => hasKey(c.transferKey)),
    followedCatalogs: followedCatalogs.filter((c) => hasKey(c.transferKey)),
  };
}
