// The serial console log of a QEMU guest, the pure parts. libvirt hands the serial port's
// `<log file=… append='on'/>` to virtlogd, which writes the file and rotates it by size (virtlogd.conf
// max_size, max_backups): FILE is the newest, FILE.0 the one before, … FILE.(max_backups - 1) the
// oldest (libvirt's virrotatingfile.c). The file sits in the directory of the host's storage
// pool, so it is a volume of that pool and can be read over any libvirt transport (vol-download).
import path from 'node:path';
import { childNamed, childrenNamed, parseXml } from './capabilities.js';

/** Where a domain's console log is: the pool, the volume in it and the file on the host. */
export interface ConsoleLogLocation {
  pool: string;
  volume: string;
  path: string;
}

/** The console log volume of a domain: exactly `<domain>.console.log`. */
export function consoleLogVolume(domain: string): string {
  return `${domain}.console.log`;
}

/** virtlogd refuses max_backups above this (VIR_MAX_MAX_BACKUP): rotated copies are FILE.0 … FILE.31 at most. */
export const MAX_VIRTLOGD_BACKUPS = 32;

/** The volume of a console log, or one of virtlogd's rotated copies of it (FILE.0 … FILE.31): nothing else. */
export function isConsoleLogVolume(volume: string, logVolume: string): boolean {
  if (volume === logVolume) return true;
  if (!volume.startsWith(`${logVolume}.`)) return false;
  const suffix = volume.slice(logVolume.length + 1);
  return /^(0|[1-9][0-9]?)$/.test(suffix) && Number(suffix) < MAX_VIRTLOGD_BACKUPS;
}

/** The rotated copies a tail may need, newest first: FILE.0 (the file before the current one). */
export function previousLogVolume(logVolume: string): string {
  return `${logVolume}.0`;
}

/** Storage pool types whose volumes are files in the pool's target directory. */
const FILE_POOL_TYPES = new Set(['dir', 'fs', 'netfs']);

/** The target directory of a pool whose volumes are plain files (dir, fs, netfs), from `virsh pool-dumpxml`. */
export function parsePoolDirectory(xml: string): string | undefined {
  const pool = parseXml(xml);
  if (pool.name !== 'pool' || !FILE_POOL_TYPES.has(pool.attrs.type ?? '')) return undefined;
  const target = childNamed(pool, 'target');
  const dir = target && childNamed(target, 'path')?.text.trim();
  return dir && path.posix.isAbsolute(dir) ? path.posix.normalize(dir) : undefined;
}

/**
 * The console log of a domain, from its XML (`virsh dumpxml`): the `<log file=…>` of its first
 * serial port (else of its console, which libvirt mirrors from serial 0 for HVM guests).
 */
export function parseConsoleLog(domainXml: string, pool: string): ConsoleLogLocation | undefined {
  const domain = parseXml(domainXml);
  const devices = childNamed(domain, 'devices');
  if (!devices) return undefined;
  const chardevs = [...childrenNamed(devices, 'serial'), ...childrenNamed(devices, 'console')];
  for (const chardev of chardevs) {
    const file = childNamed(chardev, 'log')?.attrs.file;
    if (file && path.posix.isAbsolute(file)) return { pool, volume: path.posix.basename(file), path: file };
  }
  return undefined;
}

/** The Capacity line of `virsh vol-info --bytes` (for a file volume: its size); undefined when there is none. */
export function parseVolumeBytes(info: string): number | undefined {
  const bytes = /^Capacity:\s+(\d+)\s*bytes?\s*$/m.exec(info)?.[1];
  return bytes === undefined ? undefined : Number(bytes);
}

/** The byte range of the last tailBytes of a file of size bytes. */
export function tailRange(size: number, tailBytes: number): { offset: number; length: number } {
  const length = Math.max(0, Math.min(size, tailBytes));
  return { offset: size - length, length };
}

// ECMA-48 escape sequences: CSI (ESC [ … final), OSC/DCS/SOS/PM/APC strings (up to BEL or ESC \),
// and two-character escapes; then the C1 forms of CSI and OSC. One cut off at the end goes too.
const ESCAPE_SEQUENCES =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /\u001B\[[0-?]*[ -/]*(?:[@-~]|$)|\u001B[\]PX^_][\s\S]*?(?:\u0007|\u001B\\|$)|\u001B[ -/]*[0-~]|\u009B[0-?]*[ -/]*[@-~]|\u009D[\s\S]*?(?:\u0007|\u009C|$)/g;
// Every other control character but tab and newline (C0, DEL, C1).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * Console output as printable text: terminal escape sequences and control characters removed
 * (tab and newline stay), CR LF (a tty's CR CR LF too) and lone CR made LF, bytes that are not
 * UTF-8 replaced (U+FFFD).
 */
export function printableConsole(bytes: Buffer | string): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  return text
    .replace(ESCAPE_SEQUENCES, '')
    .replace(/\r+\n|\r/g, '\n')
    .replace(CONTROL_CHARACTERS, '');
}

/**
 * The text read from offset > 0 of a file starts in the middle of a line (and maybe of a UTF-8
 * character): drop up to the first newline. From offset 0 it is whole.
 */
export function dropPartialFirstLine(text: string, offset: number): string {
  if (offset === 0) return text;
  const newline = text.indexOf('\n');
  return newline < 0 ? '' : text.slice(newline + 1);
}

/** The last n lines of text (a final newline ends the last line, it does not start another). */
export function lastLines(text: string, n: number): string {
  if (n <= 0) return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body === '') return text;
  const lines = body.split('\n');
  const kept = lines.slice(Math.max(0, lines.length - n)).join('\n');
  return text.endsWith('\n') ? `${kept}\n` : kept;
}
