import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseGuestCapabilities, parseXml, resolveGuestPlatform } from './capabilities.js';
import { parseConsoleLog } from './consoleLog.js';
import {
  domainXml,
  GUESTDOMAIN_METADATA_NS,
  parseDomainOwner,
  stableMac,
  validateDomainSpec,
  type DomainSpec,
} from './domainXml.js';

const testdataPath = (file: string) => fileURLToPath(new URL(`./testdata/${file}`, import.meta.url));
const capabilities = (file: string) => parseGuestCapabilities(readFileSync(testdataPath(file), 'utf8'));
const QEMU_HOST = capabilities('capabilities-qemu-system.xml');
const XEN_HOST = capabilities('capabilities-xen.xml');

const owner = { namespace: 'dns-lab', name: 'ns1', uid: '0b7d7a5e-3f1c-4a8e-9d2b-6c4f1e8a9b70' };

// One spec per kind of guest; each has a golden file (UPDATE_GOLDEN=1 rewrites them).
const GOLDEN_SPECS = {
  kvm: {
    name: 'dns-lab.ns1',
    uuid: '6f1c2b9e-8a47-4d3e-b5c1-2e9f7a6d4c10',
    domainType: 'kvm',
    virtualization: 'hvm',
    platform: resolveGuestPlatform(QEMU_HOST, { domainType: 'kvm', virtualization: 'hvm' }),
    vcpus: 2,
    memoryMiB: 2048,
    disk: { path: '/var/lib/libvirt/images/servirt/dns-lab.ns1.qcow2', format: 'qcow2' },
    seedIso: '/var/lib/libvirt/images/servirt/dns-lab.ns1-seed.iso',
    network: { mode: 'bridge', source: 'br0', mac: '52:54:00:3A:1B:2C' },
    owner,
    consoleLog: '/var/lib/libvirt/images/servirt/dns-lab.ns1.console.log',
  },
  qemu: {
    name: 'dns-lab.ns1',
    uuid: '6f1c2b9e-8a47-4d3e-b5c1-2e9f7a6d4c10',
    domainType: 'qemu',
    virtualization: 'hvm',
    platform: resolveGuestPlatform(QEMU_HOST, { domainType: 'qemu', virtualization: 'hvm' }),
    vcpus: 1,
    memoryMiB: 512,
    disk: { path: '/root/.cache/servirt/libvirt-pool/dns-lab.ns1.qcow2', format: 'qcow2' },
    seedIso: '/root/.cache/servirt/libvirt-pool/dns-lab.ns1-seed.iso',
    kernel: {
      path: '/root/.cache/servirt/libvirt-pool/vmlinuz',
      initrd: '/root/.cache/servirt/libvirt-pool/initrd.img',
      cmdline: 'root=/dev/vda rw console=ttyS0',
    },
    network: {
      mode: 'user',
      mac: '52:54:00:3a:1b:2c',
      forwards: [
        { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 22022, guestPort: 22 },
        { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 22053, guestPort: 53 },
        { protocol: 'udp', hostAddress: '127.0.0.1', hostPort: 22053, guestPort: 53 },
        { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 22080, guestPort: 80 },
      ],
    },
    owner,
    consoleLog: '/root/.cache/servirt/libvirt-pool/dns-lab.ns1.console.log',
  },
  'xen-hvm': {
    name: 'dns-lab.ns1',
    uuid: '6f1c2b9e-8a47-4d3e-b5c1-2e9f7a6d4c10',
    domainType: 'xen',
    virtualization: 'hvm',
    platform: resolveGuestPlatform(XEN_HOST, { domainType: 'xen', virtualization: 'hvm' }),
    vcpus: 2,
    memoryMiB: 1024,
    disk: { path: '/var/lib/xen/images/dns-lab.ns1.qcow2', format: 'qcow2' },
    seedIso: '/var/lib/xen/images/dns-lab.ns1-seed.iso',
    network: { mode: 'bridge', source: 'xenbr0', mac: '00:16:3e:5a:0c:11' },
    owner,
  },
  'xen-pv': {
    name: 'dns-lab.ns1',
    uuid: '6f1c2b9e-8a47-4d3e-b5c1-2e9f7a6d4c10',
    domainType: 'xen',
    virtualization: 'paravirtual',
    platform: resolveGuestPlatform(XEN_HOST, { domainType: 'xen', virtualization: 'paravirtual' }),
    vcpus: 2,
    memoryMiB: 1024,
    disk: { path: '/var/lib/xen/images/dns-lab.ns1.img', format: 'raw' },
    seedIso: '/var/lib/xen/images/dns-lab.ns1-seed.iso',
    kernel: {
      path: '/var/lib/xen/boot/vmlinuz',
      initrd: '/var/lib/xen/boot/initrd.img',
      cmdline: 'root=/dev/xvda rw console=hvc0',
    },
    network: { mode: 'network', source: 'default', mac: '00:16:3e:5a:0c:11' },
    owner,
  },
} satisfies Record<string, DomainSpec>;

const must = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
};

describe('domainXml golden files', () => {
  describe.each(Object.entries(GOLDEN_SPECS))('%s', (kind, goldenSpec) => {
    const file = testdataPath(`domain-${kind}.xml`);
    const xml = domainXml(goldenSpec);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, xml);

    it('equals the golden file', () => {
      expect(xml).toBe(readFileSync(file, 'utf8'));
    });

    it("passes virt-xml-validate against libvirt's domain schema", async () => {
      expect(await virtXmlValidate(file)).toEqual({ ok: true, output: `${file} validates` });
    });
  });

  it('has a validator that rejects what libvirt would reject', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'servirt-domainxml-'));
    try {
      const file = path.join(dir, 'bad.xml');
      writeFileSync(file, domainXml(GOLDEN_SPECS.kvm).replace('<on_crash>destroy<', '<on_crash>explode<'));
      const result = await virtXmlValidate(file);
      expect(result.ok).toBe(false);
      expect(result.output).toContain('fails to validate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs `virt-xml-validate FILE domain` (libvirt-clients; it needs xmllint from libxml2-utils,
 * which hack/install-deps.sh installs). A missing tool fails the test rather than skipping it.
 */
async function virtXmlValidate(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('virt-xml-validate', [file, 'domain']);
    return { ok: true, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT')
      throw new Error('virt-xml-validate is not installed (run hack/install-deps.sh)');
    const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim();
    if (/xmllint/.test(output) && !/fails to validate/.test(output)) throw new Error(output);
    return { ok: false, output };
  }
}

const base: DomainSpec = GOLDEN_SPECS.qemu;
const spec = (changes: Partial<DomainSpec>): DomainSpec => ({ ...base, ...changes });

describe('domainXml', () => {
  it('escapes every value it writes', () => {
    const hostile = `a&b<c>"d'e]]>`;
    const xml = domainXml(
      spec({
        name: `x&<>"'y`,
        owner: { namespace: hostile, name: `n"'`, uid: '<uid>' },
        disk: { path: "/pool/it's & <this>.qcow2", format: 'qcow2' },
        kernel: { path: '/k', cmdline: `init=/bin/sh -c "echo <&>"` },
        network: { mode: 'bridge', source: `br'0` },
      }),
    );
    const root = parseXml(xml);
    const child = (name: string) =>
      must(
        root.children.find((c) => c.name === name),
        `<${name}>`,
      );
    expect(child('name').text).toBe(`x&<>"'y`);
    expect(child('title').text).toBe(`GuestDomain ${hostile}/n"'`);
    const os = child('os');
    expect(os.children.find((c) => c.name === 'cmdline')?.text).toBe(`init=/bin/sh -c "echo <&>"`);
    const devices = child('devices');
    const disk = must(
      devices.children.find((c) => c.name === 'disk'),
      '<disk>',
    );
    expect(disk.children.find((c) => c.name === 'source')?.attrs.file).toBe("/pool/it's & <this>.qcow2");
    const nic = must(
      devices.children.find((c) => c.name === 'interface'),
      '<interface>',
    );
    expect(nic.children.find((c) => c.name === 'source')?.attrs.bridge).toBe(`br'0`);
    expect(parseDomainOwner(xml)).toEqual({ namespace: hostile, name: `n"'`, uid: '<uid>' });
  });

  it.each([
    ['pc-q35-7.2', 'bus=pcie.0,addr=0x10'],
    ['pc-i440fx-7.2', 'bus=pci.0,addr=0x10'],
    [undefined, 'bus=pci.0,addr=0x10'],
  ])('puts the user-mode NIC of machine %s on the root bus: %s', (machine, where) => {
    const xml = domainXml(
      spec({
        platform: { arch: 'x86_64', machine },
        network: {
          mode: 'user',
          forwards: [{ protocol: 'tcp', hostAddress: '127.0.0.2', hostPort: 2222, guestPort: 22 }],
        },
      }),
    );
    expect(xml).toContain(`<qemu:arg value='user,id=servirtnet0,ipv6=off,hostfwd=tcp:127.0.0.2:2222-:22'/>`);
    expect(xml).toContain(`<qemu:arg value='virtio-net-pci,netdev=servirtnet0,${where}'/>`);
    expect(xml).not.toContain('<interface');
  });

  it('leaves the qemu namespace out when it is not needed', () => {
    expect(domainXml(spec({ network: { mode: 'network', source: 'default' } }))).toMatch(
      /^<domain type='qemu'>\n/,
    );
  });

  it("logs a QEMU guest's serial console to the file virtlogd writes, appending across boots", () => {
    const devices = must(
      parseXml(domainXml(base)).children.find((c) => c.name === 'devices'),
      '<devices>',
    );
    const serial = must(
      devices.children.find((c) => c.name === 'serial'),
      '<serial>',
    );
    expect(serial.attrs.type).toBe('pty');
    expect(serial.children.map((c) => c.name)).toEqual(['log', 'target']);
    expect(serial.children[0]?.attrs).toEqual({
      file: '/root/.cache/servirt/libvirt-pool/dns-lab.ns1.console.log',
      append: 'on',
    });
    expect(parseConsoleLog(domainXml(base), 'servirt')).toEqual({
      pool: 'servirt',
      volume: 'dns-lab.ns1.console.log',
      path: '/root/.cache/servirt/libvirt-pool/dns-lab.ns1.console.log',
    });
  });

  it('writes no <log> without consoleLog, and none for Xen guests', () => {
    const xml = domainXml(spec({ consoleLog: undefined }));
    expect(xml).toContain(`<serial type='pty'>\n      <target port='0'/>\n    </serial>`);
    expect(xml).not.toContain('<log ');
    expect(parseConsoleLog(xml, 'servirt')).toBeUndefined();
    for (const xen of [GOLDEN_SPECS['xen-hvm'], GOLDEN_SPECS['xen-pv']]) {
      expect(domainXml(xen)).not.toContain('<log ');
    }
  });

  it('boots an HVM guest from its disk when there is no kernel', () => {
    const xml = domainXml(spec({ kernel: undefined }));
    expect(xml).toContain(`<boot dev='hd'/>`);
    expect(xml).not.toContain('<kernel>');
  });

  it.each<[string, Partial<DomainSpec>, RegExp]>([
    [
      'PV on KVM',
      { domainType: 'kvm', virtualization: 'paravirtual' },
      /paravirtual guests need domainType xen, not kvm/,
    ],
    [
      'PV without a kernel',
      {
        domainType: 'xen',
        virtualization: 'paravirtual',
        kernel: undefined,
        network: { mode: 'bridge', source: 'xenbr0' },
      },
      /kernel is required/,
    ],
    ['user networking on Xen', { domainType: 'xen' }, /user-mode networking needs a QEMU domain/],
    [
      'a forward on every address of the host',
      {
        network: {
          mode: 'user',
          forwards: [{ protocol: 'tcp', hostAddress: '0.0.0.0', hostPort: 2222, guestPort: 22 }],
        },
      },
      /hostAddress must name one address of the host, not every address \(0\.0\.0\.0\): 0\.0\.0\.0/,
    ],
    [
      'a forward on a multicast address',
      {
        network: {
          mode: 'user',
          forwards: [{ protocol: 'tcp', hostAddress: '224.0.0.1', hostPort: 2222, guestPort: 22 }],
        },
      },
      /hostAddress must be a loopback or unicast address of the host: 224\.0\.0\.1/,
    ],
    [
      'a forward on 127.0.0.256',
      {
        network: {
          mode: 'user',
          forwards: [{ protocol: 'tcp', hostAddress: '127.0.0.256', hostPort: 1, guestPort: 1 }],
        },
      },
      /hostAddress must be an IPv4 address: 127\.0\.0\.256/,
    ],
    [
      'a port out of range',
      {
        network: {
          mode: 'user',
          forwards: [{ protocol: 'udp', hostAddress: '127.0.0.1', hostPort: 65536, guestPort: 0 }],
        },
      },
      /hostPort is not a port: 65536; network.forwards\[0\].guestPort is not a port: 0/,
    ],
    [
      'the same host port twice',
      {
        network: {
          mode: 'user',
          forwards: [
            { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 },
            { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 23 },
          ],
        },
      },
      /network.forwards\[1\] forwards tcp 127.0.0.1:2222 a second time/,
    ],
    [
      'a bad MAC',
      { network: { mode: 'bridge', source: 'br0', mac: '52:54:00:zz:00:01' } },
      /not a MAC address/,
    ],
    [
      'a multicast MAC',
      { network: { mode: 'bridge', source: 'br0', mac: '01:00:5e:00:00:01' } },
      /multicast/,
    ],
    ['an empty bridge', { network: { mode: 'bridge', source: '' } }, /network.source is empty/],
    ['a name with a slash', { name: 'a/b' }, /name must not contain '\/'/],
    ['a name with a newline', { name: 'a\nb' }, /white space/],
    [
      'a control character',
      { owner: { ...owner, name: 'a\u0001' } },
      /owner.name contains characters XML cannot carry/,
    ],
    ['a bad UUID', { uuid: 'not-a-uuid' }, /uuid is not a UUID/],
    ['zero vcpus', { vcpus: 0 }, /vcpus must be a positive integer/],
    ['fractional memory', { memoryMiB: 512.5 }, /memoryMiB must be an integer/],
    [
      'a relative disk',
      { disk: { path: 'disk.qcow2', format: 'qcow2' } },
      /disk.path must be an absolute path/,
    ],
    ['a two-line cmdline', { kernel: { path: '/k', cmdline: 'a\nb' } }, /kernel.cmdline must be one line/],
    ['a relative console log', { consoleLog: 'ns1.console.log' }, /consoleLog must be an absolute path/],
    [
      'a console log on Xen',
      { ...GOLDEN_SPECS['xen-hvm'], consoleLog: '/var/lib/xen/images/x.console.log' },
      /consoleLog needs a QEMU domain/,
    ],
  ])('refuses %s', (_name, changes, message) => {
    const invalid = spec(changes);
    expect(validateDomainSpec(invalid).join('; ')).toMatch(message);
    expect(() => domainXml(invalid)).toThrow(/^invalid domain spec: /);
  });

  it('accepts every golden spec', () => {
    for (const golden of Object.values(GOLDEN_SPECS)) expect(validateDomainSpec(golden)).toEqual([]);
  });

  it("accepts a forward on one of the host's own unicast addresses (a node's veth side)", () => {
    const forwards = [
      { protocol: 'tcp' as const, hostAddress: '198.51.100.1', hostPort: 2222, guestPort: 22 },
    ];
    const onVeth = spec({ network: { mode: 'user', forwards } });
    expect(validateDomainSpec(onVeth)).toEqual([]);
    expect(domainXml(onVeth)).toContain('hostfwd=tcp:198.51.100.1:2222-:22');
  });
});

describe('parseDomainOwner', () => {
  it('reads the owner from what `virsh metadata --uri` prints: the bare element', () => {
    const printed = `<guestdomain namespace="a" name="b" uid="c"/>\n`;
    expect(parseDomainOwner(printed)).toEqual({ namespace: 'a', name: 'b', uid: 'c' });
  });

  it('reads the owner from what `virsh dumpxml` prints', () => {
    const printed = `<domain type='kvm'>\n  <name>x</name>\n  <metadata>\n    <servirt:guestdomain xmlns:servirt="${GUESTDOMAIN_METADATA_NS}" namespace="a" name="b" uid="c"/>\n  </metadata>\n</domain>\n`;
    expect(parseDomainOwner(printed)).toEqual({ namespace: 'a', name: 'b', uid: 'c' });
  });

  it.each([
    ['no metadata', `<domain type='kvm'><name>x</name></domain>`],
    [
      'metadata of another tool',
      `<domain><metadata><o:guestdomain xmlns:o='urn:other' namespace='a' name='b' uid='c'/></metadata></domain>`,
    ],
    [
      'an incomplete element',
      `<domain><metadata><s:guestdomain xmlns:s='${GUESTDOMAIN_METADATA_NS}' name='b'/></metadata></domain>`,
    ],
    [
      'our element outside <metadata>',
      `<domain><devices><s:guestdomain xmlns:s='${GUESTDOMAIN_METADATA_NS}' namespace='a' name='b' uid='c'/></devices></domain>`,
    ],
  ])('finds no owner in a domain with %s', (_name, xml) => {
    expect(parseDomainOwner(xml)).toBeUndefined();
  });

  it('follows a default namespace declared on <metadata>', () => {
    const xml = `<domain><metadata xmlns='${GUESTDOMAIN_METADATA_NS}'><guestdomain namespace='a' name='b' uid='c'/></metadata></domain>`;
    expect(parseDomainOwner(xml)).toEqual({ namespace: 'a', name: 'b', uid: 'c' });
  });
});

describe('stableMac', () => {
  it.each([
    ['kvm', /^52:54:00(:[0-9a-f]{2}){3}$/],
    ['qemu', /^52:54:00(:[0-9a-f]{2}){3}$/],
    ['xen', /^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$/],
  ] as const)('gives %s guests a MAC in their range, the same for the same seed', (domainType, shape) => {
    const mac = stableMac(owner.uid, domainType);
    expect(mac).toMatch(shape);
    expect(stableMac(owner.uid, domainType)).toBe(mac);
    expect(stableMac(`${owner.uid}x`, domainType)).not.toBe(mac);
  });
});
