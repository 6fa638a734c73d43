// Guests on real networks, in the classic topology: two libvirt hosts on a LAN (hack/lan/hosts.sh,
// a network namespace of this test's own on 203.0.113.0/24), host A reached on its socket and host
// B over qemu+ssh:// through a real sshd at B's LAN address. The operator runs on the LAN too, as it
// would in the hosts' data centre, with the kube-apiserver's port carried onto the LAN's loopback.
// ns1 is bridged to the LAN on A with a static address, web1 bridged on A takes one from the LAN's
// DHCP server (found through the QEMU guest agent), ns2 is on B's routed libvirt network
// 198.51.100.0/24 (found from its DHCP lease). Every check asks each guest at its own address,
// from the LAN; nothing of it is visible outside the namespace, and all of it is removed at the end.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import type { DnsZone, WebSite } from '../../operator/src/api/types.generated.js';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import {
  LifecycleStream,
  type LifecycleEvent,
} from '../../operator/src/providers/libvirt/lifecycleEvents.js';
import { startHostSshd, type HostSshd } from '../../hack/cluster/hostSshd.js';
import { carryLoopbackPort, startLan, startLanDhcp, stopLan, type Lan } from '../../hack/lan/lan.js';
import { kubectl, runCommand, testKubeconfig } from '../integration/cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../integration/operatorProcess.js';
import { BASE_IMAGE, leftovers, loadBaseImage, virshAt } from './environment.js';
import { apply, BOOT_STEP_TIMEOUT_MS, condition, getGuest, untilGuestsReady } from './guests.js';
import { dig } from './dig.js';
import { e2eSuite } from './steps.js';
import { createSelfSignedTlsSecret, type SelfSignedCertificate } from './tlsSecret.js';

jest.setTimeout(900_000);

const LAN_NAME = 'e2e';
const NAMESPACE = 'e2e-lan';
const ORIGIN = 'lan.test';
const HOST_NAME = `www.${ORIGIN}`;
const NS1_ADDRESS = '203.0.113.10';
const GATEWAY = '203.0.113.1';
const B_NETWORK = 'servirt-lan-b';
const B_PREFIX = '198.51.100.';
const GUESTS = { ns1: 'hv-a', web1: 'hv-a', ns2: 'hv-b' } as const;
type GuestName = keyof typeof GUESTS;
const NAMES = Object.keys(GUESTS) as GuestName[];
const domainOf = (guest: string) => `servirt-${NAMESPACE}-${guest}`;

let lan: Lan;
let sshd: HostSshd | undefined;
let operator: OperatorProcess | undefined;
let tls: SelfSignedCertificate;
const stops: (() => Promise<void>)[] = [];
const bHostKey = generateEd25519('lan-b');
const operatorKey = generateEd25519('operator');

const socketUri = (host: 'a' | 'b') => `qemu:///system?socket=${lan.hosts[host].socket}`;
/** virsh on a LAN host's own daemon, through its socket. */
const virshOn = (host: 'a' | 'b', ...args: string[]) => virshAt(socketUri(host), ...args);

function guestDomain(name: GuestName, network: Record<string, unknown>, vcpus = 1) {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'GuestDomain',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      virtualHostRef: { name: GUESTS[name], hypervisor: 'qemu' },
      vcpus,
      memoryMiB: 512,
      disk: { baseImage: `${BASE_IMAGE}.qcow2` },
      network,
      runStrategy: 'Always',
    },
  };
}

const zone = (wwwTxt: string): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: { name: 'lan-test', namespace: NAMESPACE },
  spec: {
    origin: ORIGIN,
    primary: { guestRef: { name: 'ns1' } },
    secondaries: [{ guestRef: { name: 'ns2' } }],
    defaultTTL: 60,
    // Refresh far beyond the test: a change reaches the secondary only by NOTIFY.
    soa: { rname: 'hostmaster', refresh: 3600, retry: 600, expire: 1209600, minimum: 60 },
    records: [{ name: 'note', type: 'TXT', value: wwwTxt }],
  },
});

const site: WebSite = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'WebSite',
  metadata: { name: 'www', namespace: NAMESPACE },
  spec: {
    hostNames: [HOST_NAME],
    guests: [{ name: 'web1' }],
    content: { configMapRef: { name: 'www-content' } },
    tls: { secretRef: { name: 'www-tls' }, redirectHTTP: false },
    dnsZoneRef: { name: 'lan-test' },
  },
};

async function getObject<T>(kind: string, name: string): Promise<T | undefined> {
  const result = await kubectl(['get', kind, name, '-n', NAMESPACE, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
}
const isReady = (object: { status?: { conditions?: { type: string; status: string }[] } } | undefined) =>
  object?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

const addresses = new Map<GuestName, string>();
const addressOf = (guest: GuestName) => addresses.get(guest) ?? '';
const digOnLan = (guest: GuestName, name: string, type: string) =>
  dig(53, name, type, 'udp', addressOf(guest), lan.netns);

/** curl from the LAN at web1's own address, the site's name resolved to it, as a browser there would. */
async function curlSite(scheme: 'http' | 'https', caFile?: string): Promise<{ code: string; body: string }> {
  const port = scheme === 'https' ? 443 : 80;
  const result = await runCommand('nsenter', [
    `--net=${lan.netns}`,
    ...['curl', '-sS', '--max-time', '10', '-w', '\n%{http_code}'],
    ...['--resolve', `${HOST_NAME}:${port}:${addressOf('web1')}`],
    ...(caFile ? ['--cacert', caFile] : []),
    `${scheme}://${HOST_NAME}/`,
  ]);
  const lines = result.stdout.split('\n');
  return { code: lines.at(-1) ?? '', body: lines.slice(0, -1).join('\n') };
}

/** Domains and volumes of this test's guests left on host A and B. */
async function leftoversOnHosts(): Promise<string[]> {
  const found: string[] = [];
  for (const host of ['a', 'b'] as const) {
    const { domains, volumes } = await leftovers(`servirt-${NAMESPACE}-`, socketUri(host));
    found.push(...[...domains, ...volumes].map((name) => `${host}: ${name}`));
  }
  return found;
}

describe('guests bridged and on libvirt networks of two hosts on a LAN (QEMU, TCG)', () => {
  const suite = e2eSuite('bridgedGuests', () => ({
    namespace: NAMESPACE,
    guests: [],
    operatorLines: () => operator?.lines ?? [],
  }));

  suite.setUp(async () => {
    lan = await startLan(LAN_NAME);
    for (const host of ['a', 'b'] as const) await loadBaseImage(socketUri(host));
    // B's own routed network, its dnsmasq in B's namespaces: what `mode: default` attaches to there.
    const networkXml = path.join(lan.runDir, `${B_NETWORK}.xml`);
    await writeFile(
      networkXml,
      `<network><name>${B_NETWORK}</name><forward mode="route"/><bridge name="svlanb"/>` +
        `<ip address="${B_PREFIX}1" netmask="255.255.255.0"><dhcp><range start="${B_PREFIX}100" end="${B_PREFIX}149"/></dhcp></ip></network>\n`,
    );
    await virshOn('b', 'net-define', networkXml);
    await virshOn('b', 'net-start', B_NETWORK);
    sshd = await startHostSshd({
      hostPrivateKey: bHostKey.private,
      authorizedKey: operatorKey.public,
      listenAddress: lan.hosts.b.address,
      namespaces: { net: lan.netns, mount: lan.hosts.b.mntns },
      ownerPid: process.pid,
    });
    stops.push(await startLanDhcp(lan, GATEWAY, process.pid));
    const kubeconfig = testKubeconfig();
    const apiPort = Number(
      /server: https?:\/\/127\.0\.0\.1:(\d+)/.exec(await readFile(kubeconfig, 'utf8'))?.[1],
    );
    stops.push(await carryLoopbackPort(lan, apiPort, process.pid));

    await kubectl(['create', 'namespace', NAMESPACE]);
    tls = await createSelfSignedTlsSecret(NAMESPACE, 'www-tls', HOST_NAME);
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hv-b-ssh', namespace: NAMESPACE },
      stringData: {
        'ssh-privatekey': operatorKey.private,
        known_hosts: `${lan.hosts.b.address} ${bHostKey.public}\n`,
      },
    });
    for (const [name, libvirt] of [
      ['hv-a', { uri: socketUri('a') }],
      [
        'hv-b',
        {
          uri: `qemu+ssh://root@${lan.hosts.b.address}/system`,
          sshKeySecretRef: { name: 'hv-b-ssh' },
          network: B_NETWORK,
        },
      ],
    ] as const)
      await apply({
        apiVersion: 'servirt.dev/v1alpha1',
        kind: 'VirtualHost',
        metadata: { name, namespace: NAMESPACE },
        spec: { provider: 'libvirt', libvirt: { hypervisor: 'qemu', storagePool: 'servirt', ...libvirt } },
      });
    operator = await startOperatorProcess(
      kubeconfig,
      { SERVIRT_LEADER_ELECTION: 'false' },
      { netns: lan.netns },
    );
  });

  suite.cleanUp(async () => {
    // While the operator still runs: it releases the hosts' finalizers once no guest is left, so
    // the namespace goes and no later suite's operator keeps dialling hv-b's address.
    await kubectl(['delete', 'virtualhost', '--all', '-n', NAMESPACE, '--timeout=60s']);
    operator?.child.kill('SIGKILL');
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await sshd?.stop().catch(() => undefined);
    await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
    // Everything on both hosts (domains, volumes, networks, dnsmasq) goes with the LAN.
    await stopLan(LAN_NAME);
  });

  suite.step(
    'reaches host A on its socket and host B over qemu+ssh with the pinned host key',
    async () => {
      for (const host of ['hv-a', 'hv-b'])
        await eventually(
          async () => isReady(await getObject('virtualhost', host)),
          60_000,
          `VirtualHost ${host} Ready`,
        );
    },
    { needs: [] },
  );

  suite.step(
    'boots a static, a LAN-DHCP and a libvirt-network guest; each publishes its address with its source',
    async () => {
      const started = Date.now();
      await apply(
        guestDomain('ns1', {
          mode: 'bridge',
          source: lan.bridge,
          ipv4: { address: `${NS1_ADDRESS}/24`, gateway: GATEWAY },
        }),
      );
      await apply(guestDomain('web1', { mode: 'bridge', source: lan.bridge }));
      await apply(guestDomain('ns2', { mode: 'default' }));
      await untilGuestsReady(NAMESPACE, NAMES);
      console.log(`three guests GuestReady after ${Math.round((Date.now() - started) / 1000)} s`);
      const expected: Record<GuestName, { source: string; address: RegExp }> = {
        ns1: { source: 'Static', address: new RegExp(`^${NS1_ADDRESS.replaceAll('.', '\\.')}$`) },
        web1: { source: 'GuestAgent', address: /^203\.0\.113\.1[0-4]\d$/ },
        ns2: { source: 'DHCPLease', address: /^198\.51\.100\.1[0-4]\d$/ },
      };
      for (const name of NAMES) {
        const guest = await getGuest(NAMESPACE, name);
        const found = guest?.status?.addresses?.find((a) => a.source === expected[name].source);
        expect({ name, address: found?.address }).toEqual({
          name,
          address: expect.stringMatching(expected[name].address),
        });
        addresses.set(name, found?.address ?? '');
        // Operator and guests reach it at its own address: no forwards on a real network.
        const dns = guest?.status?.endpoints?.find((e) => e.service === 'dns');
        expect(dns?.fromOperator?.address).toBe(found?.address);
        expect(dns?.fromGuests?.address).toBe(found?.address);
      }
    },
    { timeoutMs: BOOT_STEP_TIMEOUT_MS },
  );

  suite.step(
    "serves a zone from a primary on A and a secondary on B, each at its own address, with the site's name in it",
    async () => {
      await apply(zone('one'));
      await apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'www-content', namespace: NAMESPACE },
        data: { 'index.html': '<!doctype html><title>lan</title><h1>on the LAN</h1>\n' },
      });
      await apply(site);
      await eventually(
        async () => isReady(await getObject('dnszone', 'lan-test')),
        240_000,
        'the zone Ready',
      );
      for (const server of ['ns1', 'ns2'] as const) {
        expect(await digOnLan(server, `note.${ORIGIN}`, 'TXT')).toEqual({
          status: 'NOERROR',
          data: ['"one"'],
        });
        await eventually(
          async () => (await digOnLan(server, HOST_NAME, 'A')).data.join() === addressOf('web1'),
          240_000,
          `${HOST_NAME} A ${addressOf('web1')} on ${server}`,
        );
      }
    },
  );

  suite.step('a record change reaches both servers', async () => {
    const started = Date.now();
    await apply(zone('two'));
    for (const server of ['ns1', 'ns2'] as const)
      await eventually(
        async () => (await digOnLan(server, `note.${ORIGIN}`, 'TXT')).data.join() === '"two"',
        120_000,
        `the change on ${server}`,
      );
    console.log(`record change on both servers after ${Date.now() - started} ms`);
  });

  suite.step('serves the site over HTTP and HTTPS at its guest’s own address', async () => {
    await eventually(
      async () => isReady(await getObject<WebSite>('website', 'www')),
      240_000,
      'the site Ready',
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-e2e-lan-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      await writeFile(caFile, tls.certificate);
      for (const answer of [await curlSite('http'), await curlSite('https', caFile)]) {
        expect(answer.code).toBe('200');
        expect(answer.body).toContain('on the LAN');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  suite.step('applies a vcpus change to the defined domain and says when a restart is pending', async () => {
    await apply(guestDomain('web1', { mode: 'bridge', source: lan.bridge }, 2));
    await eventually(
      async () => /<vcpu[^>]*>2<\/vcpu>/.test(await virshOn('a', 'dumpxml', '--inactive', domainOf('web1'))),
      120_000,
      'the definition with 2 vcpus',
    );
    const live = Number(/CPU\(s\):\s+(\d+)/.exec(await virshOn('a', 'dominfo', domainOf('web1')))?.[1]);
    // Live where libvirt allows; otherwise the condition says it waits for a restart.
    const pending = live === 2 ? 'False' : 'True';
    await eventually(
      async () => condition(await getGuest(NAMESPACE, 'web1'), 'RestartPending')?.status === pending,
      60_000,
      `RestartPending ${pending}`,
    );
    console.log(`vcpus 1 -> 2: running domain has ${live}`);
  });

  suite.step(
    'notices a `virsh destroy` from outside by its lifecycle event and starts the guest again',
    async () => {
      const events: LifecycleEvent[] = [];
      const stream = new LifecycleStream(socketUri('a'), undefined, (event) => {
        if (event.domain === domainOf('ns1')) events.push(event);
      });
      stream.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const logged = operator?.lines.length ?? 0;
        await virshOn('a', 'destroy', domainOf('ns1'));
        await eventually(() => events.some((e) => e.event === 'Started'), 180_000, 'ns1 running again');
        const stopped = events.find((e) => e.event === 'Stopped');
        const noticed = (operator?.lines ?? [])
          .slice(logged)
          .find((line) => line.msg === 'domain lifecycle event' && line.event === 'Stopped');
        expect(stopped && noticed).toBeTruthy();
        console.log(
          `virsh destroy detected by event after ${Math.round((noticed?.time as number) - (stopped?.atMs ?? 0))} ms`,
        );
        await untilGuestsReady(NAMESPACE, ['ns1']);
      } finally {
        await stream.stop();
      }
    },
    { timeoutMs: BOOT_STEP_TIMEOUT_MS },
  );

  suite.step(
    'deleting the objects leaves no domain or volume of theirs on either host',
    async () => {
      for (const kind of ['website', 'dnszone', 'guestdomain'])
        await kubectl(['delete', kind, '--all', '-n', NAMESPACE, '--timeout=300s']);
      expect((await kubectl(['get', 'guestdomain', '-n', NAMESPACE, '-o', 'name'])).stdout).toBe('');
      expect(await leftoversOnHosts()).toEqual([]);
    },
    { needs: [], timeoutMs: 600_000 },
  );
});
