import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tarArchive } from './tar.js';

/** Unpacks with GNU tar, as a server does. */
function unpack(archive: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servirt-tar-'));
  execFileSync('tar', ['-x', '--no-same-owner', '-C', dir, '-f', '-'], { input: archive });
  return dir;
}

describe('tarArchive', () => {
  it('holds folders and files with their modes and times, as tar unpacks them', () => {
    const binary = Buffer.from([0, 255, 10, 13, 0x1f, 0x8b]);
    const archive = tarArchive(
      [
        { path: 'content', mode: 0o755 },
        { path: 'content/css', mode: 0o755 },
        { path: 'content/index.html', content: Buffer.from('<h1>hi</h1>\n'), mode: 0o644 },
        { path: 'content/css/site.css', content: Buffer.alloc(1024, 'x'), mode: 0o644 },
        { path: 'content/logo.bin', content: binary, mode: 0o644 },
        { path: 'content/empty', content: Buffer.alloc(0), mode: 0o644 },
        { path: 'tls.key', content: Buffer.from('secret'), mode: 0o600 },
      ],
      1_700_000_000,
    );
    expect(archive.length % 512).toBe(0);
    const dir = unpack(archive);
    try {
      expect(readFileSync(path.join(dir, 'content/index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
      expect(readFileSync(path.join(dir, 'content/css/site.css'))).toEqual(Buffer.alloc(1024, 'x'));
      expect(readFileSync(path.join(dir, 'content/logo.bin'))).toEqual(binary);
      expect(readFileSync(path.join(dir, 'content/empty'))).toEqual(Buffer.alloc(0));
      expect(statSync(path.join(dir, 'tls.key')).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(dir, 'content/css')).mode & 0o777).toBe(0o755);
      expect(statSync(path.join(dir, 'content/index.html')).mtimeMs).toBe(1_700_000_000_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps paths longer than ustar holds: split into prefix and name, else in a pax header', () => {
    const deep = `content/${'d'.repeat(120)}/${'f'.repeat(90)}.html`;
    const flat = `content/${'n'.repeat(240)}`;
    const dir = unpack(
      tarArchive(
        [
          { path: deep, content: Buffer.from('deep'), mode: 0o644 },
          { path: flat, content: Buffer.from('flat'), mode: 0o644 },
        ],
        0,
      ),
    );
    try {
      expect(readFileSync(path.join(dir, deep), 'utf8')).toBe('deep');
      expect(readFileSync(path.join(dir, flat), 'utf8')).toBe('flat');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is an empty archive without entries', () => {
    expect(tarArchive([], 0)).toEqual(Buffer.alloc(1024));
  });
});
