import { parseDomifaddr } from './interfaceAddresses.js';

describe('parseDomifaddr', () => {
  it('reads a lease table', () => {
    const out = ` Name       MAC address          Protocol     Address
-------------------------------------------------------------------------------
 vnet0      52:54:00:a1:b2:c3    ipv4         192.0.2.45/24
`;
    expect(parseDomifaddr(out)).toEqual([
      { interface: 'vnet0', mac: '52:54:00:a1:b2:c3', family: 'ipv4', address: '192.0.2.45', prefix: 24 },
    ]);
  });

  it("keeps the agent's reachable addresses: not lo, not link-local, continuation lines under their interface", () => {
    const out = ` Name       MAC address          Protocol     Address
-------------------------------------------------------------------------------
 lo         00:00:00:00:00:00    ipv4         127.0.0.1/8
 -          -                    ipv6         ::1/128
 enp1s0     52:54:00:a1:b2:c3    ipv4         198.51.100.7/24
 -          -                    ipv6         2001:db8::7/64
 -          -                    ipv6         fe80::5054:ff:fea1:b2c3/64
`;
    expect(parseDomifaddr(out).map((a) => [a.interface, a.mac, a.address])).toEqual([
      ['enp1s0', '52:54:00:a1:b2:c3', '198.51.100.7'],
      ['enp1s0', '52:54:00:a1:b2:c3', '2001:db8::7'],
    ]);
  });

  it('finds nothing in an empty answer', () => {
    expect(parseDomifaddr('')).toEqual([]);
    expect(parseDomifaddr(' Name MAC address Protocol Address\n-----\n')).toEqual([]);
  });
});
