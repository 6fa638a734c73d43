// Where a BIND server's files live and how its tools are called: the same code drives named in a
// Debian guest (GUEST_BIND_LAYOUT) and a named that a test or a benchmark runs under a folder.
import path from 'node:path';
import { zoneName } from './confSyntax.js';

export interface BindLayout {
  /** The file named is started with and named-checkconf checks; it only includes mainConfigIncludes. */
  mainConfig: string;
  /** What mainConfig includes, in order: the generated optionsFile and localFile among them. */
  mainConfigIncludes: string[];
  /** Generated: the options block, controls, the rndc key include. */
  optionsFile: string;
  /** Generated: TSIG keys and catalog zones. */
  localFile: string;
  /** named's working directory (`directory`): the new-zone database and DNSSEC keys go here. */
  directory: string;
  /** Files of the zones added with `rndc addzone`, written before the zone is added. */
  zoneDir: string;
  /** Files of the catalog zones served and followed. */
  catalogDir: string;
  /** The catalog consumer's `zone-directory`: files of the member zones a catalog brings in. */
  catalogMemberDir: string;
  /** Where pid-file and session-keyfile go; absent: the distribution's defaults. */
  runtimeDir?: string;
  port: number;
  /** `listen-on` address match list elements (IPv4). */
  listenOn: string[];
  /** `listen-on-v6` address match list elements; `none` to listen on no IPv6 address. */
  listenOnV6: string[];
  controlPort: number;
  /** The rndc key (`key "rndc-key"`), made where named runs; the options file includes it. */
  rndcKeyFile: string;
  /** How rndc is called for this server; the rndc subcommand and its arguments follow. */
  rndc: string[];
  /** `user:group` for files named writes to (zone files, their folders); absent: left as created. */
  fileOwner?: string;
  /** `user:group` for the generated configuration, which holds TSIG secrets (mode 0640). */
  configOwner?: string;
}

/** The name of the key in rndcKeyFile (rndc-confgen's default). */
export const RNDC_KEY_NAME = 'rndc-key';

/** A Debian 12 guest: Debian's named.conf, which includes the two generated files and its default zones. */
export const GUEST_BIND_LAYOUT: BindLayout = {
  mainConfig: '/etc/bind/named.conf',
  mainConfigIncludes: [
    '/etc/bind/named.conf.options',
    '/etc/bind/named.conf.local',
    '/etc/bind/named.conf.default-zones',
  ],
  optionsFile: '/etc/bind/named.conf.options',
  localFile: '/etc/bind/named.conf.local',
  directory: '/var/cache/bind',
  zoneDir: '/var/lib/bind/servirt/zones',
  catalogDir: '/var/lib/bind/servirt/catz',
  catalogMemberDir: '/var/lib/bind/servirt/secondary',
  port: 53,
  listenOn: ['any'],
  listenOnV6: ['any'],
  controlPort: 953,
  rndcKeyFile: '/etc/bind/rndc.key',
  rndc: ['rndc'],
  fileOwner: 'bind:bind',
  configOwner: 'root:bind',
};

/**
 * A named run by this machine's user under root, on 127.0.0.1 only (or on listenAddress, an
 * address of this machine's such as a local node's veth side), for tests and benchmarks.
 */
export function localBindLayout(
  root: string,
  ports: { dns: number; control: number },
  listenAddress = '127.0.0.1',
): BindLayout {
  const file = (name: string) => path.join(root, name);
  return {
    mainConfig: file('named.conf'),
    mainConfigIncludes: [file('named.conf.options'), file('named.conf.local')],
    optionsFile: file('named.conf.options'),
    localFile: file('named.conf.local'),
    directory: file('cache'),
    zoneDir: file('zones'),
    catalogDir: file('catz'),
    catalogMemberDir: file('secondary'),
    runtimeDir: file('run'),
    port: ports.dns,
    listenOn: [listenAddress],
    listenOnV6: ['none'],
    controlPort: ports.control,
    rndcKeyFile: file('rndc.key'),
    rndc: ['rndc', '-s', '127.0.0.1', '-p', String(ports.control), '-k', file('rndc.key')],
  };
}

/** The folders servirt makes for named to write zone files in (owned by fileOwner). */
export function zoneFolders(layout: BindLayout): string[] {
  return [layout.zoneDir, layout.catalogDir, layout.catalogMemberDir];
}

/** A main configuration that includes the given files (Debian's named.conf has this shape too). */
export function mainConfigContent(includes: readonly string[]): string {
  return includes.map((file) => `include ${JSON.stringify(file)};\n`).join('');
}

/** The file of a zone added with rndc addzone. */
export function memberZoneFile(layout: BindLayout, origin: string): string {
  return path.join(layout.zoneDir, `${fileStem(origin)}.db`);
}

export function servedCatalogFile(layout: BindLayout, zone: string): string {
  return path.join(layout.catalogDir, `${fileStem(zone)}.primary.db`);
}

export function followedCatalogFile(layout: BindLayout, zone: string): string {
  return path.join(layout.catalogDir, `${fileStem(zone)}.secondary.db`);
}

/** `Example.COM.` -> `example.com`. */
function fileStem(zone: string): string {
  return zoneName(zone).slice(0, -1);
}
