import type { GuestDomain } from '../../api/types.generated.js';
import { desiredDomain, guestNames } from './plan.js';

const guest: GuestDomain = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name: 'ns1', namespace: 'dns', uid: '0b6c7a4e-1111-4222-8333-444455556666' },
  spec: {
    virtualHostRef: { name: 'local' },
    vcpus: 2,
    memoryMiB: 768,
    disk: { baseImage: 'debian-12-servirt.qcow2', sizeGiB: 4 },
    network: {
      mode: 'user',
      hostForwards: [
        { name: 'ssh', protocol: 'tcp', hostPort: 10022, guestPort: 22 },
        { name: 'dns', protocol: 'udp', hostAddress: '127.0.0.2', hostPort: 10053, guestPort: 53 },
      ],
    },
  },
};

describe('guest plan', () => {
  it('names everything after the namespace and name, and finds kernel volumes next to the base image', () => {
    expect(guestNames(guest)).toEqual({
      domain: 'servirt-dns-ns1',
      disk: 'servirt-dns-ns1-disk.qcow2',
      seed: 'servirt-dns-ns1-seed.iso',
      kernel: 'debian-12-servirt.vmlinuz',
      initrd: 'debian-12-servirt.initrd.img',
      consoleLog: 'servirt-dns-ns1.console.log',
    });
  });

  it('logs the serial console of QEMU domains only, where provisioning says', () => {
    const paths = { disk: '/pool/d', seed: '/pool/s', consoleLog: '/pool/servirt-dns-ns1.console.log' };
    const platform = { arch: 'x86_64', machine: 'pc-q35-7.2' };
    const names = guestNames(guest);
    expect(desiredDomain(guest, names, 'qemu', platform, paths).consoleLog).toBe(paths.consoleLog);
    expect(desiredDomain(guest, names, 'kvm', platform, paths).consoleLog).toBe(paths.consoleLog);
    expect(desiredDomain(guest, names, 'xen', platform, paths)).not.toHaveProperty('consoleLog');
    expect(desiredDomain(guest, names, 'qemu', platform, { disk: '/d', seed: '/s' })).not.toHaveProperty(
      'consoleLog',
    );
  });

  it('builds the domain from the spec, with the GuestDomain uid as the domain uuid and the owner', () => {
    const spec = desiredDomain(
      guest,
      guestNames(guest),
      'qemu',
      { arch: 'x86_64', machine: 'pc-q35-7.2' },
      {
        disk: '/pool/servirt-dns-ns1-disk.qcow2',
        seed: '/pool/servirt-dns-ns1-seed.iso',
        kernel: '/pool/k',
        initrd: '/pool/i',
      },
    );
    expect(spec).toMatchObject({
      name: 'servirt-dns-ns1',
      uuid: guest.metadata.uid,
      domainType: 'qemu',
      vcpus: 2,
      memoryMiB: 768,
      kernel: {
        path: '/pool/k',
        initrd: '/pool/i',
        cmdline: expect.stringContaining('root=LABEL=servirt-root'),
      },
      owner: { namespace: 'dns', name: 'ns1', uid: guest.metadata.uid },
    });
    expect(spec.network).toMatchObject({
      mode: 'user',
      forwards: [
        { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 10022, guestPort: 22 },
        { protocol: 'udp', hostAddress: '127.0.0.2', hostPort: 10053, guestPort: 53 },
      ],
    });
  });

  it("attaches mode default to the VirtualHost's libvirt network and mode bridge to its bridge", () => {
    const platform = { arch: 'x86_64', machine: 'pc-q35-7.2' };
    const paths = { disk: '/d', seed: '/s' };
    const onNetwork = { ...guest, spec: { ...guest.spec, network: { mode: 'default' as const } } };
    expect(desiredDomain(onNetwork, guestNames(guest), 'kvm', platform, paths, 'lan').network).toMatchObject({
      mode: 'network',
      source: 'lan',
    });
    expect(desiredDomain(onNetwork, guestNames(guest), 'kvm', platform, paths).network).toMatchObject({
      source: 'default',
    });
    const bridged = {
      ...guest,
      spec: { ...guest.spec, network: { mode: 'bridge' as const, source: 'br0' } },
    };
    expect(desiredDomain(bridged, guestNames(guest), 'xen', platform, paths, 'lan').network).toMatchObject({
      mode: 'bridge',
      source: 'br0',
    });
  });
});
