import { describe, expect, it } from '@jest/globals';
import { formatName, normalizeName, parseCanonicalName, parseName } from './name.js';

const text = (labels: Uint8Array[]) => labels.map((label) => Buffer.from(label).toString('latin1'));

describe('domain names', () => {
  it.each([
    ['.', []],
    ['example.com.', ['example', 'com']],
    ['*.Example.COM.', ['*', 'Example', 'COM']],
    ['a\\.b.c.', ['a.b', 'c']],
    ['a\\\\.c.', ['a\\', 'c']],
    ['\\000\\255x.', ['\x00\xffx']],
    ['\\"q\\;\\(\\)\\@\\$.', ['"q;()@$']],
  ])('parses %s', (name, labels) => {
    expect(text(parseName(name))).toEqual(labels);
  });

  it.each([
    ['example.com', /not absolute/],
    ['a\\.', /not absolute/],
    ['', /empty/],
    ['a..b.', /empty label/],
    ['.a.', /empty label/],
    ['a b.', /printable ASCII/],
    ['\\256.', /not a byte/],
    [`${'a'.repeat(64)}.`, /label longer than 63/],
    [`${`${'a'.repeat(63)}.`.repeat(4)}`, /longer than 255 bytes/],
  ])('rejects %j', (name, error) => {
    expect(() => parseName(name)).toThrow(error);
  });

  it.each([
    ['Example.COM.', 'example.com.'],
    ['a\\.b.', 'a\\.b.'],
    ['sp\\ ace.', 'sp\\032ace.'],
    ['\\065.', 'a.'],
    ['\\(x\\).', '\\(x\\).'],
    ['tab\\009\\127.', 'tab\\009\\127.'],
  ])('formats %s canonically as %s', (name, canonical) => {
    expect(formatName(parseName(name))).toBe(canonical);
  });

  it('normalizes names written without the trailing dot', () => {
    expect(normalizeName('Example.test')).toBe('example.test.');
    expect(normalizeName('example.test.')).toBe('example.test.');
    expect(normalizeName('a\\.')).toBe('a\\..');
    expect(normalizeName('.')).toBe('.');
  });

  it('insists on canonical form where asked to', () => {
    expect(() => parseCanonicalName('WWW.example.')).toThrow(/write www.example./);
    expect(text(parseCanonicalName('www.example.'))).toEqual(['www', 'example']);
  });
});
