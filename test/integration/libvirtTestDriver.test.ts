import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  parseGuestCapabilities,
  resolveGuestPlatform,
} from '../../operator/src/providers/libvirt/capabilities.js';
import {
  domainXml,
  GUESTDOMAIN_METADATA_NS,
  parseDomainOwner,
  type DomainSpec,
} from '../../operator/src/providers/libvirt/domainXml.js';
import { LibvirtGuests } from '../../operator/src/providers/libvirt/guests.js';
import { repoPath } from './cluster.js';

// libvirt's test driver (test:///default) takes our kvm and xen domain XML through libvirt's real
// parser and domain life cycle, with no hypervisor. It keeps its state per connection: every
// `virsh -c test:///default` process starts again from the built-in fixture, so each case runs all
// its steps in ONE virsh process, with `echo` markers between the steps to split the output.

const capabilities = (file: string) =>
  parseGuestCapabilities(readFileSync(repoPath('operator/src/providers/libvirt/testdata', file), 'utf8'));
const QEMU_HOST = capabilities('capabilities-qemu-system.xml');
const XEN_HOST = capabilities('capabilities-xen.xml');
const owner = { namespace: 'dns-lab', name: 'ns1', uid: '0b7d7a5e-3f1c-4a8e-9d2b-6c4f1e8a9b70' };

const common = {
  name: 'servirt-dns-lab.ns1',
  uuid: '6f1c2b9e-8a47-4d3e-b5c1-2e9f7a6d4c10',
  vcpus: 2,
  memoryMiB: 1024,
  seedIso: '/var/lib/servirt/seed.iso',
  owner,
};
const cases: [string, DomainSpec][] = [
  [
    'kvm, bridged',
    {
      ...common,
      domainType: 'kvm',
      virtualization: 'hvm',
      platform: resolveGuestPlatform(QEMU_HOST, { domainType: 'kvm', virtualization: 'hvm' }),
      disk: { path: '/var/lib/servirt/ns1.qcow2', format: 'qcow2' },
      network: { mode: 'bridge', source: 'br0', mac: '52:54:00:3a:1b:2c' },
    },
  ],
  [
    'kvm, user-mode networking, direct kernel boot',
    {
      ...common,
      domainType: 'kvm',
      virtualization: 'hvm',
      platform: resolveGuestPlatform(QEMU_HOST, { domainType: 'kvm', virtualization: 'hvm', machine: 'pc' }),
      disk: { path: '/var/lib/servirt/ns1.qcow2', format: 'qcow2' },
      kernel: {
        path: '/var/lib/servirt/vmlinuz',
        initrd: '/var/lib/servirt/initrd.img',
        cmdline: 'console=ttyS0',
      },
      network: {
        mode: 'user',
        forwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 22022, guestPort: 22 }],
      },
    },
  ],
  [
    'xen HVM',
    {
      ...common,
      domainType: 'xen',
      virtualization: 'hvm',
      platform: resolveGuestPlatform(XEN_HOST, { domainType: 'xen', virtualization: 'hvm' }),
      disk: { path: '/var/lib/xen/images/ns1.qcow2', format: 'qcow2' },
      network: { mode: 'bridge', source: 'xenbr0', mac: '00:16:3e:5a:0c:11' },
    },
  ],
  [
    'xen PV',
    {
      ...common,
      domainType: 'xen',
      virtualization: 'paravirtual',
      platform: resolveGuestPlatform(XEN_HOST, { domainType: 'xen', virtualization: 'paravirtual' }),
      disk: { path: '/var/lib/xen/images/ns1.img', format: 'raw' },
      kernel: { path: '/var/lib/xen/boot/vmlinuz', cmdline: 'root=/dev/xvda console=hvc0' },
      network: { mode: 'network', source: 'default' },
    },
  ],
];

/** Runs `virsh -c test:///default` with all steps in one process; returns each step's output. */
async function virshSteps(
  steps: [string, string][],
): Promise<{ outputs: Record<string, string>; stderr: string }> {
  const script = steps.map(([step, command]) => `echo @@${step} ; ${command}`).join(' ; ');
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile('virsh', ['--connect', 'test:///default', script], { timeout: 30_000 }, (error, out, err) =>
      // virsh's exit status is that of the last command only: the caller checks every step.
      error && (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? reject(new Error('virsh is not installed (libvirt-clients; run hack/install-deps.sh)'))
        : resolve({ stdout: out, stderr: err }),
    );
  });
  const outputs: Record<string, string> = {};
  for (const section of stdout.split(/^@@/m).slice(1)) {
    const newline = section.indexOf('\n');
    outputs[section.slice(0, newline)] = section.slice(newline + 1).trim();
  }
  return { outputs, stderr };
}

describe('domain XML on libvirt test:///default', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'servirt-testdriver-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(cases)('%s: define, start, destroy, undefine', async (kind, spec) => {
    const file = path.join(dir, `${kind.replace(/\W+/g, '-')}.xml`);
    writeFileSync(file, domainXml(spec));
    const name = spec.name;
    const { outputs, stderr } = await virshSteps([
      ['define', `define ${file}`],
      ['listed', 'list --all --name'],
      ['start', `start ${name}`],
      ['running', `domstate ${name}`],
      ['dumpxml', `dumpxml ${name}`],
      ['metadata', `metadata ${name} --uri ${GUESTDOMAIN_METADATA_NS}`],
      ['destroy', `destroy ${name}`],
      ['off', `domstate ${name}`],
      ['undefine', `undefine ${name}`],
      ['gone', 'list --all --name'],
    ]);

    expect(stderr).toBe('');
    expect(outputs.define).toBe(`Domain '${name}' defined from ${file}`);
    expect(outputs.listed?.split('\n')).toContain(name);
    expect(outputs.start).toBe(`Domain '${name}' started`);
    expect(outputs.running).toBe('running');
    expect(outputs.destroy).toBe(`Domain '${name}' destroyed`);
    expect(outputs.off).toBe('shut off');
    expect(outputs.undefine).toBe(`Domain '${name}' has been undefined`);
    expect(outputs.gone?.split('\n')).not.toContain(name);
    expect(outputs.gone?.split('\n')).toContain('test'); // the fixture's own domain: same connection

    // What libvirt kept of our XML: the controller finds its domains by this metadata.
    const dumped = outputs.dumpxml ?? '';
    expect(dumped).toMatch(new RegExp(`^<domain type='${spec.domainType}' id='\\d+'`));
    expect(dumped).toContain(`<uuid>${spec.uuid}</uuid>`);
    expect(dumped).toContain(`<title>GuestDomain ${owner.namespace}/${owner.name}</title>`);
    expect(parseDomainOwner(dumped)).toEqual(owner);
    expect(parseDomainOwner(outputs.metadata ?? '')).toEqual(owner);
    expect(dumped).toContain(`<type arch='${spec.platform.arch}' machine='${spec.platform.machine}'>`);
    expect(dumped).toContain(`<source file='${spec.disk.path}'/>`);
    expect(dumped).toContain(`<source file='${spec.seedIso}'/>`);
    if (spec.network.mode !== 'user')
      expect(dumped).toMatch(new RegExp(`<interface type='${spec.network.mode}'>`));
    if (spec.kernel) expect(dumped).toContain(`<kernel>${spec.kernel.path}</kernel>`);
  });

  it('starts each virsh process from the fixture again', async () => {
    const { outputs } = await virshSteps([['list', 'list --all --name']]);
    expect(outputs.list).toBe('test');
  });

  it.each(['lease', 'agent'] as const)(
    'reads the addresses libvirt reports for a running domain (domifaddr --source %s)',
    async (source) => {
      const guests = new LibvirtGuests('test:///default', 'default-pool');
      expect(await guests.interfaceAddresses('test', source)).toEqual([
        {
          interface: 'testnet0',
          mac: 'aa:bb:cc:dd:ee:ff',
          family: 'ipv4',
          address: '192.168.122.3',
          prefix: 24,
        },
      ]);
    },
  );
});
