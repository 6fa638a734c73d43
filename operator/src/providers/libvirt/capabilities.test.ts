import { readFileSync } from 'node:fs';
import {
  parseGuestCapabilities,
  parseXml,
  resolveGuestPlatform,
  type PlatformRequest,
} from './capabilities.js';

const testdata = (file: string) => readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8');

// Saved from `virsh -c test:///default capabilities` and `virsh -c qemu:///system capabilities`
// (libvirt 9.0, QEMU 7.2, Debian 12). The Xen sample is written by hand: see its header comment.
const TEST_DRIVER = parseGuestCapabilities(testdata('capabilities-test-default.xml'));
const QEMU = parseGuestCapabilities(testdata('capabilities-qemu-system.xml'));
const XEN = parseGuestCapabilities(testdata('capabilities-xen.xml'));

const fail = (message: string): never => {
  throw new Error(message);
};

describe('parseXml', () => {
  it('reads elements, attributes in both quotes, entities, CDATA, and skips comments and the prolog', () => {
    const root = parseXml(
      `<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2" y='&lt;&#65;&#x42;&apos;'>t&gt;<b/><!-- c --><c k="v">in<![CDATA[<raw>&]]></c>u</a>\n`,
    );
    expect(root).toEqual({
      name: 'a',
      attrs: { x: '1 & 2', y: "<AB'" },
      text: 't>u',
      children: [
        { name: 'b', attrs: {}, children: [], text: '' },
        { name: 'c', attrs: { k: 'v' }, children: [], text: 'in<raw>&' },
      ],
    });
  });

  it.each([
    ['<a><b></a>', /expected <\/b>/],
    ['<a>', /unterminated element <a>/],
    ['<a x="1" x="2"/>', /duplicate attribute x/],
    ['<a x=1/>', /malformed attribute/],
    ['<a>&nbsp;</a>', /unknown entity &nbsp;/],
    ['<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>', /DTDs are not supported/],
    ['<a/><b/>', /content after the root element/],
    ['<a><!-- never closed </a>', /unterminated comment/],
  ])('rejects %s', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
  });
});

describe('parseGuestCapabilities', () => {
  it('reads the test driver: hvm and xen guests on i686, domain type test', () => {
    expect(TEST_DRIVER).toEqual([
      {
        osType: 'hvm',
        arch: 'i686',
        wordsize: 32,
        emulator: '/usr/bin/test-hv',
        machines: [],
        domainTypes: [{ type: 'test', machines: [] }],
      },
      {
        osType: 'xen',
        arch: 'i686',
        wordsize: 32,
        emulator: '/usr/bin/test-hv',
        machines: [],
        domainTypes: [{ type: 'test', machines: [] }],
      },
    ]);
  });

  it('reads QEMU: hvm on i686 and x86_64, domain types qemu and kvm, machines with aliases', () => {
    expect(QEMU.map((g) => [g.osType, g.arch, g.emulator, g.domainTypes.map((d) => d.type)])).toEqual([
      ['hvm', 'i686', '/usr/bin/qemu-system-i386', ['qemu', 'kvm']],
      ['hvm', 'x86_64', '/usr/bin/qemu-system-x86_64', ['qemu', 'kvm']],
    ]);
    const x86 = QEMU.find((g) => g.arch === 'x86_64') ?? fail('no x86_64 guest');
    expect(x86.wordsize).toBe(64);
    expect(x86.machines).toContainEqual({ name: 'q35', canonical: 'pc-q35-7.2', maxCpus: 288 });
    expect(x86.machines).toContainEqual({ name: 'pc', canonical: 'pc-i440fx-7.2', maxCpus: 255 });
    expect(x86.machines).toContainEqual({ name: 'pc-i440fx-1.4', maxCpus: 255, deprecated: true });
    expect(x86.machines.length).toBeGreaterThan(50);
  });

  it('reads Xen: PV and HVM (hvmloader) guests, and leaves PVH out', () => {
    expect(XEN.map((g) => [g.osType, g.arch, g.machines.map((m) => m.name), g.loader])).toEqual([
      ['xen', 'x86_64', ['xenpv'], undefined],
      ['xen', 'i686', ['xenpv'], undefined],
      ['hvm', 'i686', ['xenfv'], '/usr/lib/xen/boot/hvmloader'],
      ['hvm', 'x86_64', ['xenfv'], '/usr/lib/xen/boot/hvmloader'],
    ]);
    expect(XEN.every((g) => g.emulator === '/usr/lib/xen/bin/qemu-system-i386')).toBe(true);
  });

  it('reads domain types with their own emulator and machines, and old Xen drivers', () => {
    const [guest] = parseGuestCapabilities(`<capabilities><host/><guest><os_type>linux</os_type>
      <arch name='x86_64'><emulator>/a</emulator><machine>m1</machine>
        <domain type='kvm'><emulator>/b</emulator><machine>m2</machine></domain></arch></guest></capabilities>`);
    expect(guest).toEqual({
      osType: 'xen',
      arch: 'x86_64',
      emulator: '/a',
      machines: [{ name: 'm1' }],
      domainTypes: [{ type: 'kvm', emulator: '/b', machines: [{ name: 'm2' }] }],
    });
  });

  it('rejects what is not a capabilities document', () => {
    expect(() => parseGuestCapabilities('<domain/>')).toThrow(/not libvirt capabilities XML/);
  });
});

describe('resolveGuestPlatform', () => {
  it.each<[string, typeof QEMU, PlatformRequest, object]>([
    [
      'QEMU TCG: q35, by its versioned name',
      QEMU,
      { domainType: 'qemu', virtualization: 'hvm' },
      { arch: 'x86_64', machine: 'pc-q35-7.2', emulator: '/usr/bin/qemu-system-x86_64' },
    ],
    [
      'KVM with the pc alias',
      QEMU,
      { domainType: 'kvm', virtualization: 'hvm', machine: 'pc' },
      { arch: 'x86_64', machine: 'pc-i440fx-7.2', emulator: '/usr/bin/qemu-system-x86_64' },
    ],
    [
      'KVM with a versioned machine',
      QEMU,
      { domainType: 'kvm', virtualization: 'hvm', machine: 'pc-q35-6.2' },
      { arch: 'x86_64', machine: 'pc-q35-6.2', emulator: '/usr/bin/qemu-system-x86_64' },
    ],
    [
      'QEMU on i686',
      QEMU,
      { domainType: 'qemu', virtualization: 'hvm', arch: 'i686' },
      { arch: 'i686', machine: 'pc-q35-7.2', emulator: '/usr/bin/qemu-system-i386' },
    ],
    [
      'Xen HVM',
      XEN,
      { domainType: 'xen', virtualization: 'hvm' },
      {
        arch: 'x86_64',
        machine: 'xenfv',
        emulator: '/usr/lib/xen/bin/qemu-system-i386',
        loader: '/usr/lib/xen/boot/hvmloader',
      },
    ],
    [
      'Xen PV',
      XEN,
      { domainType: 'xen', virtualization: 'paravirtual' },
      { arch: 'x86_64', machine: 'xenpv', emulator: '/usr/lib/xen/bin/qemu-system-i386' },
    ],
    [
      'the test driver (no machines)',
      TEST_DRIVER,
      { domainType: 'test', virtualization: 'paravirtual', arch: 'i686' },
      { arch: 'i686', emulator: '/usr/bin/test-hv' },
    ],
  ])('%s', (_name, capabilities, request, platform) => {
    expect(resolveGuestPlatform(capabilities, request)).toEqual(platform);
  });

  it.each<[string, typeof QEMU, PlatformRequest, RegExp]>([
    [
      'Xen on a QEMU host',
      QEMU,
      { domainType: 'xen', virtualization: 'hvm' },
      /cannot run xen guests with os type hvm on x86_64; it offers: qemu\/hvm\/i686, kvm\/hvm\/i686, qemu\/hvm\/x86_64, kvm\/hvm\/x86_64/,
    ],
    [
      'PV on a QEMU host',
      QEMU,
      { domainType: 'kvm', virtualization: 'paravirtual' },
      /cannot run kvm guests with os type xen/,
    ],
    ['an unknown arch', QEMU, { domainType: 'qemu', virtualization: 'hvm', arch: 'aarch64' }, /on aarch64/],
    [
      'an unknown machine',
      QEMU,
      { domainType: 'qemu', virtualization: 'hvm', machine: 'virt' },
      /no machine type virt for qemu\/hvm\/x86_64; it offers: pc-i440fx-7.2, pc, /,
    ],
    [
      'KVM on the test driver',
      TEST_DRIVER,
      { domainType: 'kvm', virtualization: 'hvm' },
      /offers: test\/hvm\/i686/,
    ],
  ])('refuses %s', (_name, capabilities, request, message) => {
    expect(() => resolveGuestPlatform(capabilities, request)).toThrow(message);
  });
});
