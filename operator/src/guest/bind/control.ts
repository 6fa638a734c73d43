// Drives one BIND server through a guest channel: its configuration files (validated before they
// are put in place) and the zones added at run time with rndc.
import type { GuestChannel, RunResult } from '../channel.js';
import type { ServerFile } from './config.js';
import { primaryZoneConfig } from './config.js';
import { zoneName } from './confSyntax.js';
import { mainConfigContent, memberZoneFile, zoneFolders, type BindLayout } from './layout.js';
import {
  ADD_ZONE,
  CONFIG_REJECTED,
  INSTALL_CONFIG,
  MAKE_FOLDERS,
  READ_FILES,
  RECONFIG_FAILED,
  STAGED,
} from './controlScripts.js';
import type { PrimaryZoneConfig } from './model.js';

/** named-checkconf refused a configuration; the live files were left as they were. */
export class BindConfigRejected extends Error {
  override name = 'BindConfigRejected';
}

export class RndcError extends Error {
  override name = 'RndcError';
}

const CONFIG_MODE = '0640';
const ZONE_FILE_MODE = '0644';

export class BindControl {
  constructor(
    private readonly channel: GuestChannel,
    private readonly layout: BindLayout,
  ) {}

  /**
   * Puts the rendered files in place and has named load them, unless they are there already.
   * The configuration files are checked together with named-checkconf before any live one is
   * replaced; zone files marked createOnly are written only when missing.
   */
  async applyServerConfig(files: readonly ServerFile[]): Promise<'unchanged' | 'reloaded'> {
    const configs = files.filter((file) => !file.createOnly);
    const zoneFiles = files.filter((file) => file.createOnly);
    const current = await this.readFiles(
      configs.map((file) => file.path),
      zoneFiles.map((file) => file.path),
    );
    const changed = configs.filter((file) => current.get(file.path) !== file.content);
    const missing = zoneFiles.filter((file) => current.get(file.path) === undefined);
    if (changed.length === 0 && missing.length === 0) return 'unchanged';

    const staged = (path: string) => (changed.some((file) => file.path === path) ? path + STAGED : path);
    const main = this.layout.mainConfig + STAGED;
    // Zone files are staged in their own folders, which a new guest may not have yet.
    if (missing.length > 0) {
      const made = await this.run([
        'sh',
        '-c',
        MAKE_FOLDERS,
        'sh',
        this.layout.fileOwner ?? '-',
        ...zoneFolders(this.layout),
      ]);
      if (made.code !== 0) throw new Error(`making the zone folders failed: ${output(made)}`);
    }
    for (const file of [...changed, ...missing])
      await this.channel.writeFile(
        file.path + STAGED,
        file.content,
        file.createOnly ? ZONE_FILE_MODE : CONFIG_MODE,
      );
    await this.channel.writeFile(main, mainConfigContent(this.layout.mainConfigIncludes.map(staged)));
    const installed = await this.run([
      'sh',
      '-c',
      INSTALL_CONFIG,
      'sh',
      this.layout.configOwner ?? '-',
      this.layout.fileOwner ?? '-',
      main,
      lines(changed.map((file) => file.path)),
      lines(missing.map((file) => file.path)),
      lines(zoneFolders(this.layout)),
      ...this.layout.rndc,
    ]);
    if (installed.code === CONFIG_REJECTED) {
      const secrets = configs.flatMap((file) =>
        [...file.content.matchAll(/secret\s+"([^"]*)"/g)].map((m) => m[1] ?? ''),
      );
      throw new BindConfigRejected(
        `named-checkconf rejected the configuration: ${redact(output(installed), secrets)}`,
      );
    }
    if (installed.code === RECONFIG_FAILED)
      throw new RndcError(`rndc reconfig failed, the previous configuration is back: ${output(installed)}`);
    if (installed.code !== 0)
      throw new Error(`installing the BIND configuration failed: ${output(installed)}`);
    return 'reloaded';
  }

  /** The zone's configuration as `rndc showzone` prints it; undefined when the server has no such zone. */
  async zoneConfig(origin: string): Promise<string | undefined> {
    const shown = await this.rndc(['showzone', zoneName(origin)]);
    if (shown.code === 0) return shown.stdout.trim();
    if (isNotFound(shown)) return undefined;
    throw new RndcError(`rndc showzone ${zoneName(origin)} failed: ${output(shown)}`);
  }

  /** `rndc zonestatus` as fields (`serial`, `dynamic`, …); undefined when there is no such zone. */
  async zoneStatus(origin: string): Promise<Record<string, string> | undefined> {
    const status = await this.rndc(['zonestatus', zoneName(origin)]);
    if (status.code !== 0) {
      if (isNotFound(status)) return undefined;
      throw new RndcError(`rndc zonestatus ${zoneName(origin)} failed: ${output(status)}`);
    }
    const fields: Record<string, string> = {};
    for (const line of status.stdout.split('\n')) {
      const match = /^([^:]+):\s*(.*)$/.exec(line.trim());
      if (match) fields[match[1] as string] = match[2] as string;
    }
    return fields;
  }

  /**
   * Adds a primary zone that starts from zoneFileContent. The file is written only when missing:
   * after an interrupted add it is the same content, and a loaded zone's file belongs to named.
   * A zone that exists already counts as added.
   */
  async addZone(zone: PrimaryZoneConfig, zoneFileContent: string): Promise<void> {
    const addzone = ['addzone', zoneName(zone.origin), primaryZoneConfig(this.layout, zone)];
    const added = await this.run(
      [
        'sh',
        '-c',
        ADD_ZONE,
        'sh',
        this.layout.fileOwner ?? '-',
        lines(zoneFolders(this.layout)),
        memberZoneFile(this.layout, zone.origin),
        ...this.layout.rndc,
        ...addzone,
      ],
      zoneFileContent,
    );
    if (added.code !== 0 && !/already exists/.test(output(added)))
      throw new RndcError(`rndc addzone ${zoneName(zone.origin)} failed: ${output(added)}`);
  }

  /** Changes the options of a zone added with addZone (its records stay). */
  async modifyZone(zone: PrimaryZoneConfig): Promise<void> {
    const modified = await this.rndc([
      'modzone',
      zoneName(zone.origin),
      primaryZoneConfig(this.layout, zone),
    ]);
    if (modified.code !== 0)
      throw new RndcError(`rndc modzone ${zoneName(zone.origin)} failed: ${output(modified)}`);
  }

  /** Has a secondary ask its primary for the zone's serial now, instead of at its next refresh. */
  async refreshZone(origin: string): Promise<void> {
    const refreshed = await this.rndc(['refresh', zoneName(origin)]);
    if (refreshed.code !== 0 && !isNotFound(refreshed))
      throw new RndcError(`rndc refresh ${zoneName(origin)} failed: ${output(refreshed)}`);
  }

  /** Removes the zone and its files; a zone that does not exist counts as removed. */
  async deleteZone(origin: string): Promise<void> {
    const deleted = await this.rndc(['delzone', '-clean', zoneName(origin)]);
    if (deleted.code !== 0 && !isNotFound(deleted))
      throw new RndcError(`rndc delzone ${zoneName(origin)} failed: ${output(deleted)}`);
  }

  /** The contents of the files read, '' for the files only checked; absent files are not in the map. */
  private async readFiles(read: readonly string[], checked: readonly string[]): Promise<Map<string, string>> {
    const paths = [...read, ...checked];
    const listed = await this.run(['sh', '-c', READ_FILES, 'sh', String(read.length), ...paths]);
    if (listed.code !== 0) throw new Error(`reading the BIND configuration failed: ${output(listed)}`);
    const bytes = Buffer.from(listed.stdout, 'utf8');
    const contents = new Map<string, string>();
    let offset = 0;
    for (const path of paths) {
      const newline = bytes.indexOf(0x0a, offset);
      const size = Number(bytes.subarray(offset, newline).toString().trim());
      offset = newline + 1;
      if (size < 0) continue;
      contents.set(path, bytes.subarray(offset, offset + size).toString('utf8'));
      offset += size;
    }
    return contents;
  }

  private rndc(args: string[]): Promise<RunResult> {
    return this.run([...this.layout.rndc, ...args]);
  }

  private run(argv: string[], input?: string): Promise<RunResult> {
    return this.channel.run(argv, input === undefined ? {} : { input });
  }
}

const lines = (paths: readonly string[]) => paths.join('\n');

function isNotFound(result: RunResult): boolean {
  return /failed: not found/.test(output(result));
}

function output(result: RunResult): string {
  return `${result.stderr}\n${result.stdout}`.trim().replace(/\s*\n\s*/g, '; ');
}

/**
 * named-checkconf quotes the token it stumbled on (`missing ';' before 'c2Vj…'`), which may be
 * a secret or part of one: such tokens go, as do the secrets themselves.
 */
function redact(text: string, secrets: readonly string[]): string {
  const known = secrets.filter((secret) => secret.length > 0);
  const partOfSecret = (token: string) => {
    const shown = token.replace(/\.\.\.$/, ''); // long tokens are cut short with "..."
    // Even a short token: the three characters named quoted once are three characters of the secret.
    return shown.length > 0 && known.some((secret) => secret.includes(shown));
  };
  const withoutTokens = text.replace(/'([^'\n]*)'/g, (quoted, token: string) =>
    partOfSecret(token) ? "'<secret>'" : quoted,
  );
  return known.reduce((redacted, secret) => redacted.split(secret).join('<secret>'), withoutTokens);
}
