import { parse } from 'yaml';
import { generateEd25519 } from './sshKeyPair.js';
import { noCloudSeed, type GuestIdentity } from './cloudInit.js';

const hostKey = generateEd25519('test');
const identity: GuestIdentity = {
  instanceId: '6f1c2f3e-uid',
  hostname: 'ns1',
  hostKey: { private: hostKey.private, public: hostKey.public },
  authorizedKeys: ['ssh-ed25519 AAAAC3Nza operator'],
};

describe('noCloudSeed', () => {
  it('pins the operator-generated host key and allows only the operator key, no passwords', () => {
    const seed = noCloudSeed(identity);
    expect(seed['user-data'].startsWith('#cloud-config\n')).toBe(true);
    const userData = parse(seed['user-data']);
    expect(userData).toMatchObject({
      hostname: 'ns1',
      ssh_deletekeys: true,
      ssh_pwauth: false,
      ssh_authorized_keys: ['ssh-ed25519 AAAAC3Nza operator'],
      ssh_keys: { ed25519_private: hostKey.private, ed25519_public: hostKey.public },
    });
    expect(userData.write_files).toBeUndefined();
    expect(parse(seed['meta-data'])).toEqual({ 'instance-id': '6f1c2f3e-uid', 'local-hostname': 'ns1' });
    expect(parse(seed['network-config'])).toMatchObject({
      version: 2,
      ethernets: { primary: { dhcp4: true } },
    });
  });

  it('carries role files and commands verbatim, including awkward content', () => {
    const content = 'zone "example.com" {\n  type primary;\n};\n# it\'s: "quoted" & {braces}\n';
    const seed = noCloudSeed(identity, {
      files: [{ path: '/etc/bind/named.conf.local', content, permissions: '0640', owner: 'root:bind' }],
      commands: [['systemctl', 'restart', 'named']],
    });
    const userData = parse(seed['user-data']);
    expect(userData.write_files).toEqual([
      { path: '/etc/bind/named.conf.local', content, permissions: '0640', owner: 'root:bind' },
    ]);
    expect(userData.runcmd).toEqual([['systemctl', 'restart', 'named']]);
  });

  it('gives a static address to the NIC with its MAC, without a default route when no gateway is named', () => {
    const seed = noCloudSeed({
      ...identity,
      staticIpv4: { mac: '52:54:00:aa:bb:cc', address: '192.0.2.10/24' },
    });
    expect(parse(seed['network-config']).ethernets).toEqual({
      eth0: {
        match: { macaddress: '52:54:00:aa:bb:cc' },
        'set-name': 'eth0',
        dhcp4: false,
        dhcp6: false,
        'accept-ra': false,
        addresses: ['192.0.2.10/24'],
      },
    });
  });

  it('routes a static address through its gateway with a destination cloud-init 22.4 parses', () => {
    const staticIpv4 = { mac: '52:54:00:aa:bb:cc', address: '192.0.2.10/24', gateway: '192.0.2.1' };
    const seed = noCloudSeed({ ...identity, staticIpv4 });
    expect(parse(seed['network-config']).ethernets.eth0.routes).toEqual([
      { to: '0.0.0.0/0', via: '192.0.2.1' },
    ]);
  });

  it('gives an isolated guest its address by DHCP but no route and no resolvers', () => {
    const seed = noCloudSeed({ ...identity, isolatedDhcp: { mac: '52:54:00:aa:bb:cc' } });
    expect(parse(seed['network-config']).ethernets).toEqual({
      eth0: {
        match: { macaddress: '52:54:00:aa:bb:cc' },
        'set-name': 'eth0',
        dhcp4: true,
        'dhcp4-overrides': { 'use-routes': false, 'use-dns': false },
        dhcp6: false,
      },
    });
  });

  it("gives a guest whose forwards listen beyond the host's loopback slirp's default route, still no resolvers", () => {
    const seed = noCloudSeed({ ...identity, isolatedDhcp: { mac: '52:54:00:aa:bb:cc', defaultRoute: true } });
    expect(parse(seed['network-config']).ethernets.eth0['dhcp4-overrides']).toEqual({
      'use-routes': true,
      'use-dns': false,
    });
  });

  it('quotes what YAML 1.1 (cloud-init) would read as a number, such as an all-digit MAC address', () => {
    const seed = noCloudSeed({ ...identity, isolatedDhcp: { mac: '52:54:00:00:00:01' } });
    expect(parse(seed['network-config'], { version: '1.1' }).ethernets.eth0.match.macaddress).toBe(
      '52:54:00:00:00:01',
    );
    expect(parse(seed['user-data'], { version: '1.1' }).users).toBeUndefined();
  });

  it('refuses a host key of another type', () => {
    expect(() => noCloudSeed({ ...identity, hostKey: { private: 'x', public: 'ssh-rsa AAAA' } })).toThrow(
      /ssh-ed25519/,
    );
  });
});
