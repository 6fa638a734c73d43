import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ssh2 from 'ssh2';
import { ed25519PublicKeyBytes, generateEd25519 } from './sshKeyPair.js';

describe('ed25519 keys for guests', () => {
  it('measures the key inside a public key line', () => {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    expect(ed25519PublicKeyBytes(pair.public)).toBeGreaterThanOrEqual(31);
    const blob = Buffer.concat([
      Buffer.from([0, 0, 0, 11]),
      Buffer.from('ssh-ed25519'),
      Buffer.from([0, 0, 0, 31]),
      Buffer.alloc(31, 7),
    ]);
    expect(ed25519PublicKeyBytes(`ssh-ed25519 ${blob.toString('base64')} x`)).toBe(31);
    expect(ed25519PublicKeyBytes('ssh-ed25519')).toBe(0);
  });

  it('never hands out a pair OpenSSH would reject (1 in 256 of what ssh2 makes)', () => {
    const pairs = Array.from({ length: 1500 }, () => generateEd25519('t'));
    expect(pairs.every((pair) => ed25519PublicKeyBytes(pair.public) === 32)).toBe(true);
    // OpenSSH itself reads a sample of them.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'servirt-keys-'));
    try {
      for (const [index, pair] of pairs.slice(0, 20).entries()) {
        const file = path.join(dir, `key${index}`);
        writeFileSync(file, pair.private, { mode: 0o600 });
        const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
        expect(derived.split(' ').slice(0, 2)).toEqual(pair.public.split(' ').slice(0, 2));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
