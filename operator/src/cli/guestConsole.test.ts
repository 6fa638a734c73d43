import { describe, expect, it } from '@jest/globals';
import { ApiError, type KubeClient, type KubeRequest } from '../kube/client.js';
import type { DomainObservation } from '../providers/libvirt/guests.js';
import {
  DEFAULT_TAIL_LINES,
  guestConsoleCommand,
  parseGuestConsoleArgs,
  parseTail,
  tailBytes,
  type ConsoleSource,
  type GuestConsoleDeps,
} from './guestConsole.js';

describe('parseGuestConsoleArgs', () => {
  it('takes a name, the last 200 lines and the context namespace by default', () => {
    expect(parseGuestConsoleArgs(['ns1'])).toEqual({ name: 'ns1', tail: { lines: DEFAULT_TAIL_LINES } });
  });

  it.each([
    [['ns1', '-n', 'dns'], { name: 'ns1', namespace: 'dns', tail: { lines: 200 } }],
    [['--namespace=dns', 'ns1', '--tail', '50'], { name: 'ns1', namespace: 'dns', tail: { lines: 50 } }],
    [['ns1', '--tail=64KiB'], { name: 'ns1', tail: { bytes: 65536 } }],
    [['ns1', '--tail', '1M'], { name: 'ns1', tail: { bytes: 1048576 } }],
    [['ns1', '--tail', '300b'], { name: 'ns1', tail: { bytes: 300 } }],
  ])('parses %j', (args, expected) => {
    expect(parseGuestConsoleArgs(args)).toEqual(expected);
  });

  it.each([
    [[], /one GuestDomain/],
    [['a', 'b'], /one GuestDomain/],
    [['ns1', '--tail'], /argument missing|--tail/],
    [['ns1', '--tail', '0'], /--tail 0: give a number/],
    [['ns1', '--tail', '-5'], /--tail/],
    [['ns1', '--tail', 'lots'], /--tail lots: give a number/],
    [['ns1', '--tail', '10GiB'], /--tail 10GiB: give a number/],
    [['ns1', '--tail', '5MiB'], /at most 4MiB/],
    [['ns1', '--tail', '100001'], /at most 100000 lines/],
    [['ns1', '-n', ''], /namespace is empty/],
    [['ns1', '--follow'], /Unknown option '--follow'/],
  ])('refuses %j', (args, message) => {
    const parsed = parseGuestConsoleArgs(args);
    expect('error' in parsed && parsed.error).toMatch(message);
  });

  it('reads enough bytes for the lines asked for, within bounds', () => {
    expect(tailBytes({ lines: 10 })).toBe(64 * 1024);
    expect(tailBytes({ lines: 1000 })).toBe(512_000);
    expect(tailBytes({ lines: 100_000 })).toBe(4 * 1024 * 1024);
    expect(tailBytes({ bytes: 300 })).toBe(300);
    expect(parseTail(' 7 ')).toEqual({ lines: 7 });
  });
});

const guest = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name: 'ns1', namespace: 'dns', uid: 'u' },
  spec: { virtualHostRef: { name: 'local' }, vcpus: 1, memoryMiB: 512, disk: { baseImage: 'b.qcow2' } },
};
const libvirtHost = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'VirtualHost',
  metadata: { name: 'local', namespace: 'dns' },
  spec: {
    provider: 'libvirt',
    libvirt: { uri: 'qemu:///system', hypervisor: 'qemu', storagePool: 'servirt' },
  },
};
const LOGGED: DomainObservation = {
  name: 'servirt-dns-ns1',
  uuid: 'u',
  state: 'running',
  consoleLog: {
    pool: 'servirt',
    volume: 'servirt-dns-ns1.console.log',
    path: '/pool/servirt-dns-ns1.console.log',
  },
};

/** Runs the command against fake API objects and a fake host. */
async function run(
  args: string[],
  objects: Record<string, unknown>,
  host: { domain?: DomainObservation; log?: string } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: { uri: string; pool: string; tailBytes?: number }[] = [];
  const client = {
    request: async <T>(req: KubeRequest): Promise<T> => {
      const found = objects[req.path];
      if (found === undefined) throw new ApiError(404, 'NotFound', `${req.path} not found`);
      return found as T;
    },
    close: () => {},
  } as unknown as KubeClient;
  const deps: GuestConsoleDeps = {
    connect: async () => ({ client, namespace: 'dns' }),
    hypervisor: (uri, pool): ConsoleSource => ({
      lookup: async () => host.domain,
      consoleLog: async (_domain, options) => {
        calls.push({ uri, pool, ...(options?.tailBytes !== undefined && { tailBytes: options.tailBytes }) });
        return host.log ?? '';
      },
    }),
  };
  const code = await guestConsoleCommand(
    args,
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
    deps,
  );
  return { code, stdout: out.join(''), stderr: err.join(''), calls };
}

const GD = '/apis/servirt.dev/v1alpha1/namespaces/dns/guestdomains/ns1';
const VH = '/apis/servirt.dev/v1alpha1/namespaces/dns/virtualhosts/local';

describe('guestConsoleCommand', () => {
  it("prints the last lines of the guest's console log from its host's pool", async () => {
    const result = await run(
      ['ns1', '--tail', '2'],
      { [GD]: guest, [VH]: libvirtHost },
      {
        domain: LOGGED,
        log: 'one\ntwo\nthree',
      },
    );
    expect(result).toEqual({
      code: 0,
      stdout: 'two\nthree\n',
      stderr: '',
      calls: [{ uri: 'qemu:///system', pool: 'servirt', tailBytes: 64 * 1024 }],
    });
  });

  it.each<[string, Record<string, unknown>, { domain?: DomainObservation; log?: string }, RegExp]>([
    ['the guest is missing', {}, {}, /GuestDomain dns\/ns1 not found/],
    ['its host is missing', { [GD]: guest }, {}, /VirtualHost dns\/local of GuestDomain ns1 not found/],
    [
      'the host is KubeVirt',
      { [GD]: guest, [VH]: { ...libvirtHost, spec: { provider: 'kubevirt', kubevirt: {} } } },
      {},
      /VirtualHost local is not a libvirt host \(provider kubevirt\)/,
    ],
    [
      'the domain is not defined',
      { [GD]: guest, [VH]: libvirtHost },
      {},
      /domain servirt-dns-ns1 is not defined/,
    ],
    [
      'the domain logs no console',
      { [GD]: guest, [VH]: libvirtHost },
      { domain: { name: 'servirt-dns-ns1', uuid: 'u', state: 'running' } },
      /does not log its serial console/,
    ],
    [
      'there is no log yet',
      { [GD]: guest, [VH]: libvirtHost },
      { domain: LOGGED, log: '' },
      /no console log yet: \/pool\/servirt-dns-ns1.console.log/,
    ],
  ])('fails clearly when %s', async (_what, objects, host, message) => {
    const result = await run(['ns1'], objects, host);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^servirt guest console: /);
    expect(result.stderr).toMatch(message);
  });

  it('exits 2 with the usage for bad arguments', async () => {
    const result = await run(['ns1', '--tail', 'x'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: servirt guest console NAME');
  });
});
