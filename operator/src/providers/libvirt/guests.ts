import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseGuestCapabilities, type GuestCapability } from './capabilities.js';
import { parseDomifaddr, type AddressSource, type InterfaceAddress } from './interfaceAddresses.js';
import { parseSizing, type DomainSizing } from './sizing.js';
import {
  consoleLogVolume,
  dropPartialFirstLine,
  parseConsoleLog,
  parsePoolDirectory,
  parseVolumeBytes,
  previousLogVolume,
  printableConsole,
  tailRange,
  type ConsoleLogLocation,
} from './consoleLog.js';
import { parseDomainOwner, type DomainOwner } from './domainXml.js';
import { virshOn, type CredentialSource } from './virsh.js';

const run = promisify(execFile);

export type DomainState = 'running' | 'shutoff' | 'paused' | 'other';

export interface DomainObservation {
  name: string;
  uuid: string;
  state: DomainState;
  owner?: DomainOwner;
  /** The serial console log, when the domain has one (`<serial><log file=…>`). */
  consoleLog?: ConsoleLogLocation;
  /** vCPUs and memory as the domain has them now (running: live; else its definition). */
  sizing?: DomainSizing;
}

export interface ResizeChange {
  kind: 'vcpus' | 'maxVcpus' | 'memory' | 'maxMemory';
  scope: 'config' | 'live';
  value: number;
}

/** How much of a console log consoleLog() returns by default, and at most. */
export const CONSOLE_TAIL_BYTES = 64 * 1024;
export const MAX_CONSOLE_TAIL_BYTES = 4 * 1024 * 1024;

/** Domains and volumes on one libvirt host, through virsh (argv only; names are validated by the caller). */
export class LibvirtGuests {
  constructor(
    readonly uri: string,
    readonly pool: string,
    private readonly credentials?: CredentialSource,
  ) {}

  private poolDirectoryOnce?: Promise<string | undefined>;

  private virsh(args: string[]): Promise<string> {
    return virshOn(this.uri, this.credentials, args);
  }

  async capabilities(): Promise<GuestCapability[]> {
    return parseGuestCapabilities(await this.virsh(['capabilities']));
  }

  async lookup(name: string): Promise<DomainObservation | undefined> {
    let xml: string;
    try {
      xml = await this.virsh(['dumpxml', '--domain', name]);
    } catch (error) {
      if (/failed to get domain|Domain not found/i.test((error as Error).message)) return undefined;
      throw error;
    }
    const state = (await this.virsh(['domstate', '--domain', name])).trim();
    const uuid = /<uuid>([^<]+)<\/uuid>/.exec(xml)?.[1] ?? '';
    const sizing = parseSizing(xml);
    return {
      name,
      uuid,
      state: toState(state),
      ...optional('owner', parseDomainOwner(xml)),
      ...optional('consoleLog', parseConsoleLog(xml, this.pool)),
      ...optional('sizing', sizing),
    };
  }

  /** The vCPUs and memory of the domain's persistent definition (what the next start gets). */
  async definedSizing(name: string): Promise<DomainSizing | undefined> {
    return parseSizing(await this.virsh(['dumpxml', '--domain', name, '--inactive']));
  }

  /** One change of vCPUs or memory, of the definition (config) or of the running domain (live). */
  async resize(name: string, change: ResizeChange): Promise<void> {
    const scope = `--${change.scope}`;
    if (change.kind === 'vcpus' || change.kind === 'maxVcpus') {
      const maximum = change.kind === 'maxVcpus' ? ['--maximum'] : [];
      await this.virsh(['setvcpus', '--domain', name, '--count', String(change.value), scope, ...maximum]);
    } else {
      const command = change.kind === 'maxMemory' ? 'setmaxmem' : 'setmem';
      await this.virsh([command, '--domain', name, '--size', `${change.value}MiB`, scope]);
    }
  }

  async define(xml: string): Promise<void> {
    await withTempFile('domain.xml', xml, (file) => this.virsh(['define', '--file', file]));
  }

  async start(name: string): Promise<void> {
    await this.virsh(['start', '--domain', name]);
  }

  async shutdown(name: string): Promise<void> {
    await this.virsh(['shutdown', '--domain', name]);
  }

  async destroy(name: string): Promise<void> {
    await this.virsh(['destroy', '--domain', name]).catch(
      ignore(/not running|Domain not found|failed to get domain/i),
    );
  }

  async undefine(name: string): Promise<void> {
    await this.virsh(['undefine', '--domain', name]).catch(ignore(/Domain not found|failed to get domain/i));
  }

  async volumes(): Promise<string[]> {
    // virsh 9.0's vol-list has no --name; with --quiet it prints "name path" rows without a header.
    const listed = await this.virsh(['vol-list', '--pool', this.pool]);
    return listed
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter(Boolean);
  }

  /** Makes the pool list files made on the host since (virtlogd's logs): a dir pool lists what it saw at its last refresh. */
  async refreshPool(): Promise<void> {
    await this.virsh(['pool-refresh', '--pool', this.pool]);
  }

  /**
   * The pool's target directory when its volumes are files there (dir, fs and netfs pools), else
   * undefined: read once (`pool-dumpxml`), then cached; a failed read is tried again next time.
   */
  poolDirectory(): Promise<string | undefined> {
    this.poolDirectoryOnce ??= this.virsh(['pool-dumpxml', '--pool', this.pool])
      .then(parsePoolDirectory)
      .catch((error: unknown) => {
        this.poolDirectoryOnce = undefined;
        throw error;
      });
    return this.poolDirectoryOnce;
  }

  /**
   * The end of a domain's serial console log (`<domain>.console.log` in the pool), as printable
   * text: at most tailBytes (default 64 KiB, at most 4 MiB), reaching back into virtlogd's last
   * rotated copy when the current file is shorter; whole lines only when cut. Read with
   * vol-download, so it works over every transport. '' when there is no log yet.
   */
  async consoleLog(domain: string, options: { tailBytes?: number } = {}): Promise<string> {
    const wanted = Math.floor(options.tailBytes ?? CONSOLE_TAIL_BYTES);
    const tailBytes = Math.min(MAX_CONSOLE_TAIL_BYTES, Math.max(1, Number.isFinite(wanted) ? wanted : 1));
    await this.refreshPool();
    const volumes = new Set(await this.volumes());
    const current = consoleLogVolume(domain);
    if (!volumes.has(current)) return '';
    const currentText = await this.downloadTail(current, tailBytes);
    const previous = previousLogVolume(current);
    if (currentText.bytes >= tailBytes || !volumes.has(previous)) return printableConsole(currentText.text);
    const previousText = await this.downloadTail(previous, tailBytes - currentText.bytes);
    return printableConsole(previousText.text + currentText.text);
  }

  /** The last tailBytes of a volume (whole lines when cut) and how many bytes were read. */
  private async downloadTail(volume: string, tailBytes: number): Promise<{ text: string; bytes: number }> {
    const size = parseVolumeBytes(await this.virsh(['vol-info', '--pool', this.pool, '--bytes', volume]));
    if (!size) return { text: '', bytes: 0 };
    const { offset, length } = tailRange(size, tailBytes);
    const content = await withTempFile('console.log', '', async (file) => {
      await this.virsh([
        'vol-download',
        '--pool',
        this.pool,
        '--vol',
        volume,
        '--file',
        file,
        '--offset',
        String(offset),
        '--length',
        String(length),
      ]);
      return readFile(file);
    });
    // The file may have grown since vol-info: never more than asked for.
    const bytes = content.subarray(0, length);
    return { text: dropPartialFirstLine(bytes.toString('utf8'), offset), bytes: bytes.length };
  }

  /** The domain's reachable addresses from its network's DHCP leases or its guest agent. */
  async interfaceAddresses(name: string, source: AddressSource): Promise<InterfaceAddress[]> {
    return parseDomifaddr(await this.virsh(['domifaddr', '--domain', name, '--source', source]));
  }

  async volumePath(name: string): Promise<string> {
    return (await this.virsh(['vol-path', '--pool', this.pool, name])).trim();
  }

  async volumeCapacityBytes(name: string): Promise<number> {
    const info = await this.virsh(['vol-info', '--pool', this.pool, '--bytes', name]);
    return Number(/Capacity:\s+(\d+)/.exec(info)?.[1] ?? 0);
  }

  /** A qcow2 overlay whose backing file is the base volume (copy on write). */
  async createOverlay(name: string, baseVolume: string, sizeBytes: number): Promise<void> {
    const capacity = Math.max(sizeBytes, await this.volumeCapacityBytes(baseVolume));
    await this.virsh([
      'vol-create-as',
      '--pool',
      this.pool,
      '--name',
      name,
      '--capacity',
      `${capacity}b`,
      '--format',
      'qcow2',
      '--backing-vol',
      baseVolume,
      '--backing-vol-format',
      'qcow2',
    ]);
  }

  /** A raw volume with the given content (e.g. a seed ISO), created or overwritten. */
  async uploadVolume(name: string, content: Buffer): Promise<void> {
    const existing = await this.volumes();
    if (!existing.includes(name)) {
      await this.virsh([
        'vol-create-as',
        '--pool',
        this.pool,
        '--name',
        name,
        '--capacity',
        `${content.length}b`,
        '--format',
        'raw',
      ]);
    }
    await withTempFile('volume', content, (file) =>
      this.virsh(['vol-upload', '--pool', this.pool, '--vol', name, '--file', file]),
    );
  }

  async deleteVolume(name: string): Promise<void> {
    await this.virsh(['vol-delete', '--pool', this.pool, name]).catch(
      ignore(/Storage volume not found|no storage vol/i),
    );
  }
}

/** Builds a NoCloud seed ISO (volume label cidata) from its files with xorriso. */
export async function seedIso(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-seed-'));
  try {
    const content = path.join(dir, 'content');
    await run('mkdir', [content]);
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(content, name), text);
    const iso = path.join(dir, 'seed.iso');
    await run('xorriso', [
      '-as',
      'mkisofs',
      '-quiet',
      '-volid',
      'cidata',
      '-joliet',
      '-rock',
      '-output',
      iso,
      content,
    ]);
    return await readFile(iso);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function toState(state: string): DomainState {
  if (state === 'running') return 'running';
  if (state === 'shut off') return 'shutoff';
  if (state === 'paused') return 'paused';
  return 'other';
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function ignore(pattern: RegExp) {
  return (error: unknown) => {
    if (!pattern.test((error as Error).message)) throw error;
  };
}

async function withTempFile<T>(
  name: string,
  content: string | Buffer,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-virsh-'));
  try {
    const file = path.join(dir, name);
    await writeFile(file, content, { mode: 0o600 });
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
