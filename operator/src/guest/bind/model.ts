// What a BIND server is asked to be, independent of where its files live (see layout.ts).

export interface TsigKeyConfig {
  /** Key name as BIND knows it, e.g. `example.com-transfer`. */
  name: string;
  algorithm: 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';
  /** Base64 key material. */
  secret: string;
}

/** Where another server reaches this one (or this one reaches another). */
export interface PeerAddress {
  address: string;
  port: number;
}

/** A catalog zone (RFC 9432) that this server holds as primary, listing zones for one secondary. */
export interface ServedCatalog {
  zone: string;
  /** Key that signs the catalog's and its member zones' transfers, and the operator's updates of the catalog. */
  transferKey: string;
  /** The secondary that follows this catalog: NOTIFY goes there, signed with transferKey. */
  notify: PeerAddress[];
}

/** A catalog zone that this server follows as a secondary: every member zone is transferred from primary. */
export interface FollowedCatalog {
  zone: string;
  primary: PeerAddress;
  transferKey: string;
}

/** Server-wide configuration: keys, catalogs served and followed. Member zones are added at run time (rndc addzone). */
export interface ServerConfig {
  keys: TsigKeyConfig[];
  servedCatalogs: ServedCatalog[];
  followedCatalogs: FollowedCatalog[];
}

export const EMPTY_SERVER_CONFIG: ServerConfig = { keys: [], servedCatalogs: [], followedCatalogs: [] };

/** A zone this server is primary for, as given to `rndc addzone` / `rndc modzone`. */
export interface PrimaryZoneConfig {
  origin: string;
  /** Key allowed to update the zone and to transfer it. */
  updateKey: string;
  /** Further keys allowed to transfer it (the server's transfer key for its secondaries). */
  transferKeys: string[];
  /** Secondaries to NOTIFY, each signed with the key given. */
  notify: { peer: PeerAddress; key: string }[];
  dnssecPolicy?: 'default' | 'insecure';
}
