import { describe, expect, it } from '@jest/globals';
import { checkFiles, MAX_CONTENT_BYTES } from './content.js';

const files = (entries: [string, number][]) =>
  new Map(entries.map(([name, size]) => [name, Buffer.alloc(size)]));

describe('checkFiles', () => {
  it('accepts plain relative paths within the limits', () => {
    expect(() =>
      checkFiles(
        files([
          ['index.html', 10],
          ['css/site.css', 10],
          ['.well-known/security.txt', 1],
        ]),
      ),
    ).not.toThrow();
  });

  it.each([
    ['no files', files([]), 'ContentEmpty'],
    ['a path that climbs out', files([['../etc/passwd', 1]]), 'ContentInvalid'],
    ['an absolute path', files([['/index.html', 1]]), 'ContentInvalid'],
    ['more bytes than the limit', files([['big.bin', MAX_CONTENT_BYTES + 1]]), 'ContentTooLarge'],
  ])('rejects %s', (_what, given, reason) => {
    expect(() => checkFiles(given)).toThrow(expect.objectContaining({ reason }));
  });
});
