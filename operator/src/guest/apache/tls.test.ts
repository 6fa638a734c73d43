import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tlsProblem } from './tls.js';

let dir: string;
const file = (name: string) => readFileSync(path.join(dir, name), 'utf8');
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const subject = ['-subj', '/CN=www.example.com', '-days', '2'];
const selfSigned = (name: string, ...newKey: string[]) =>
  openssl(
    'req',
    '-x509',
    '-nodes',
    ...subject,
    '-newkey',
    ...newKey,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
const signedByCa = (name: string, digest: string) =>
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    digest,
    '-days',
    '2',
    '-out',
    `${name}.crt`,
  );

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'servirt-tls-'));
  selfSigned('ec', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1');
  selfSigned('rsa', 'rsa:2048');
  selfSigned('small', 'rsa:1024');
  openssl('pkey', '-in', 'rsa.key', '-aes128', '-passout', 'pass:secret', '-out', 'encrypted.key');
  selfSigned('ca', 'rsa:2048');
  openssl(
    'req',
    '-new',
    '-nodes',
    ...subject,
    '-newkey',
    'rsa:2048',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
  );
  signedByCa('leaf', '-sha256');
  // OpenSSL's security level 2 (Debian 12's default) refuses SHA-1 signatures.
  signedByCa('sha1', '-sha1');
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pair = (certificate: string, privateKey: string) => ({ certificate, privateKey, redirectHTTP: true });

describe('tlsProblem', () => {
  it('accepts a certificate with its key, and a chain whose first certificate the key belongs to', () => {
    expect(tlsProblem(pair(file('ec.crt'), file('ec.key')))).toBeUndefined();
    expect(tlsProblem(pair(file('rsa.crt'), file('rsa.key')))).toBeUndefined();
    expect(tlsProblem(pair(file('leaf.crt') + file('ca.crt'), file('leaf.key')))).toBeUndefined();
  });

  it('refuses a key of another certificate, naming no key material', () => {
    const problem = tlsProblem(pair(file('ec.crt'), file('rsa.key')));
    expect(problem).toBe('the private key (tls.key) does not belong to the first certificate of tls.crt');
    expect(tlsProblem(pair(file('ca.crt') + file('leaf.crt'), file('leaf.key')))).toMatch(/does not belong/);
  });

  it.each([
    ['garbage as key', () => pair(file('ec.crt'), 'not a key'), /not an unencrypted PEM private key/],
    [
      'an encrypted key',
      () => pair(file('rsa.crt'), file('encrypted.key')),
      /not an unencrypted PEM private key/,
    ],
    ['garbage as certificate', () => pair('not a certificate', file('ec.key')), /holds no PEM certificate/],
    [
      'a damaged certificate',
      () => pair('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', file('ec.key')),
      /certificate 1 of tls.crt cannot be read/,
    ],
    [
      'a key inside the certificate file',
      () => pair(file('ec.crt') + file('ec.key'), file('ec.key')),
      /holds a private key/,
    ],
    ['a 1024-bit RSA key', () => pair(file('small.crt'), file('small.key')), /1024-bit RSA key/],
    [
      'a SHA-1 signature',
      () => pair(file('sha1.crt') + file('ca.crt'), file('leaf.key')),
      /signed with sha1WithRSAEncryption/,
    ],
  ])('refuses %s', (_, tls, problem) => {
    expect(tlsProblem(tls())).toMatch(problem);
  });
});
