// A minimal tar writer (POSIX ustar, with a pax header for paths longer than ustar holds): a site's
// files go to a server as one stream on one SSH command's standard input, unpacked there by tar.
export interface TarEntry {
  /** Relative, `/`-separated; folders end without a slash. */
  path: string;
  /** Absent for a folder. */
  content?: Buffer;
  /** e.g. 0o644. */
  mode: number;
}

const BLOCK = 512;

/** The archive, owned by root (uid and gid 0), every entry with the modification time given. */
export function tarArchive(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.content === undefined ? '5' : '0';
    let ustarPath = splitPath(entry.path);
    if (!ustarPath) {
      // tar takes the path from the pax record; the ustar fields hold a stand-in.
      const records = paxRecords(entry.path);
      parts.push(header({ name: 'PaxHeader', prefix: '' }, 'x', 0o644, records.length, mtimeSeconds));
      parts.push(...withPadding(records));
      ustarPath = { name: entry.path.slice(0, 100), prefix: '' };
    }
    parts.push(header(ustarPath, type, entry.mode, entry.content?.length ?? 0, mtimeSeconds));
    if (entry.content) parts.push(...withPadding(entry.content));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** ustar's name (100 bytes) and prefix (155 bytes), split at a slash; undefined when the path does not fit. */
function splitPath(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  return undefined;
}

/** A pax `path=` record: its length counts its own digits. */
function paxRecords(path: string): Buffer {
  const body = ` path=${path}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return Buffer.from(`${length}${body}`);
}

function header(
  { name, prefix }: { name: string; prefix: string },
  type: string,
  mode: number,
  size: number,
  mtimeSeconds: number,
): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100);
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, mtimeSeconds);
  block.fill(' ', 148, 156);
  block.write(type, 156, 1);
  block.write('ustar\u000000', 257, 8);
  block.write('root', 265, 32);
  block.write('root', 297, 32);
  block.write(prefix, 345, 155);
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length);
}

function withPadding(content: Buffer): Buffer[] {
  const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return padding === 0 ? [content] : [content, Buffer.alloc(padding)];
}
