import { describe, expect, it } from '@jest/globals';
import { formatIPv6, parseIPv4, parseIPv6 } from './address.js';

const format = (text: string) => {
  const bytes = parseIPv6(text);
  return bytes && formatIPv6(bytes);
};

describe('IP addresses', () => {
  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:3:0:0:4', '1::2:3:0:0:4'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['::1.2.3.4', '::102:304'],
    ['0:0:0:0:0:0:0:0', '::'],
  ])('IPv6 %s is %s', (text, canonical) => {
    expect(format(text)).toBe(canonical);
  });

  it.each(['', ':', '1:2', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7:8:9', '::1.2.3', '1.2.3.4::', ':::'])(
    'rejects IPv6 %j',
    (text) => {
      expect(parseIPv6(text)).toBeUndefined();
    },
  );

  it.each(['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '-1.1.1.1', '1.2.3.'])(
    'rejects IPv4 %j',
    (text) => {
      expect(parseIPv4(text)).toBeUndefined();
    },
  );
});
