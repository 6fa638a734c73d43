import { describe, expect, it } from '@jest/globals';
import { checkContent, contentHash, siteNameOf, tlsHash } from './model.js';
import { ApacheConfigError } from './syntax.js';

const files = (entries: [string, string][]) =>
  new Map(entries.map(([path, text]) => [path, Buffer.from(text)] as [string, Buffer]));

describe('contentHash', () => {
  it('depends on the paths and bytes, not on the order they come in', () => {
    const a = files([
      ['index.html', '<h1>hi</h1>'],
      ['css/site.css', 'body{}'],
    ]);
    const b = files([
      ['css/site.css', 'body{}'],
      ['index.html', '<h1>hi</h1>'],
    ]);
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(files([['index.html', '<h1>hi</h1>!']]))).not.toBe(contentHash(a));
  });

  it('cannot be fooled by moving bytes between a path and its content', () => {
    expect(contentHash(files([['a', 'bc']]))).not.toBe(contentHash(files([['ab', 'c']])));
    expect(contentHash(files([['a', '']]))).not.toBe(contentHash(new Map()));
  });
});

describe('checkContent', () => {
  it('accepts relative paths of plain segments', () => {
    expect(() =>
      checkContent(
        files([
          ['index.html', ''],
          ['.well-known/security.txt', ''],
          ['a/b/c.js', ''],
        ]),
      ),
    ).not.toThrow();
  });

  it.each([
    ['../etc/passwd'],
    ['/index.html'],
    ['a//b'],
    ['a/./b'],
    ['a/'],
    ['a b'],
    ['a\nb'],
    ['x'.repeat(256)],
  ])('refuses %j', (path) => {
    expect(() => checkContent(files([[path, '']]))).toThrow(ApacheConfigError);
  });

  it('refuses a file that is also a folder', () => {
    expect(() =>
      checkContent(
        files([
          ['docs', ''],
          ['docs/index.html', ''],
        ]),
      ),
    ).toThrow(/also a folder/);
  });
});

describe('siteNameOf', () => {
  it('joins namespace and name with _, which neither can hold', () => {
    expect(siteNameOf('shop', 'www')).toBe('shop_www');
    expect(siteNameOf('a-b', 'c')).not.toBe(siteNameOf('a', 'b-c'));
  });

  it('shortens long names, keeping them unique', () => {
    const long = siteNameOf('ns', 'x'.repeat(250));
    expect(long.length).toBe(200);
    expect(long).not.toBe(siteNameOf('ns', `${'x'.repeat(249)}y`));
  });
});

describe('tlsHash', () => {
  it('changes with the certificate and with the key', () => {
    const tls = { certificate: 'c', privateKey: 'k', redirectHTTP: true };
    expect(tlsHash(tls)).toMatch(/^[0-9a-f]{16}$/);
    expect(tlsHash({ ...tls, redirectHTTP: false })).toBe(tlsHash(tls));
    expect(tlsHash({ ...tls, privateKey: 'k2' })).not.toBe(tlsHash(tls));
    expect(tlsHash({ ...tls, certificate: 'c2' })).not.toBe(tlsHash(tls));
  });
});
