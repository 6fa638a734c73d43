import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { checkCertificate } from './tls.js';

// A self-signed certificate for www.example.test and *.static.example.test, valid 2026–2126.
const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const certificate = testdata('site.crt');
const key = testdata('site.key');
const now = new Date('2027-01-01T00:00:00Z');

describe('checkCertificate', () => {
  it('accepts a certificate that matches its key and covers the host names', () => {
    const checked = checkCertificate(
      certificate,
      key,
      ['www.example.test', '*.static.example.test', 'a.static.example.test'],
      's',
      now,
    );
    expect(checked.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it.each([
    ['garbage', 'not a certificate', key, ['www.example.test'], now, 'TLSSecretInvalid'],
    [
      'a key of another certificate',
      certificate,
      testdata('other.key'),
      ['www.example.test'],
      now,
      'TLSKeyMismatch',
    ],
    ['a garbage key', certificate, 'nope', ['www.example.test'], now, 'TLSSecretInvalid'],
    ['a host name it does not cover', certificate, key, ['shop.example.test'], now, 'TLSCertificateMismatch'],
    [
      'an expired certificate',
      certificate,
      key,
      ['www.example.test'],
      new Date('2200-01-01T00:00:00Z'),
      'TLSCertificateNotValid',
    ],
  ])('rejects %s', (_what, crt, privateKey, hostNames, at, reason) => {
    expect(() => checkCertificate(crt, privateKey, hostNames, 's', at)).toThrow(
      expect.objectContaining({ reason }),
    );
  });
});
