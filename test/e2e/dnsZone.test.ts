// A DnsZone served by BIND in two real guests under QEMU (TCG): the primary in one, the secondary
// in the other, which reaches the primary through slirp's host alias (10.0.2.2) and the primary's
// loopback forward. Queried with dig on each guest's forward, as a user would.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import type { Benchmark, DnsZone } from '../../operator/src/api/types.generated.js';
import { startLocalJobRunner } from '../../hack/jobs/localJobRunner.js';
import { countColor, decodePng } from '../integration/report/png.js';
import { screenshot } from '../integration/report/screenshot.js';
import { freePort } from '../../hack/cluster/processes.js';
import { kubectl, testKubeconfig } from '../integration/cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../integration/operatorProcess.js';
import { leftovers, removeFromHost } from './environment.js';
import { apply, BOOT_STEP_TIMEOUT_MS, guestDomain, localHost, untilGuestsReady } from './guests.js';
import { dig } from './dig.js';
import { e2eSuite } from './steps.js';

jest.setTimeout(900_000);

const NAMESPACE = 'e2e-dns';
const GUESTS = ['ns1', 'ns2'] as const;
const prefixOf = (guest: string) => `servirt-${NAMESPACE}-${guest}`;
const ports = new Map<string, { ssh: number; dns: number }>();
const dnsPort = (guest: string) => ports.get(guest)?.dns ?? 0;
const sshPort = (guest: string) => ports.get(guest)?.ssh ?? 0;

const baseRecords: NonNullable<DnsZone['spec']['records']> = [
  { name: 'www', type: 'A', value: '192.0.2.80' },
  { name: 'www', type: 'AAAA', value: '2001:db8::80' },
  { name: '@', type: 'MX', mx: { preference: 10, exchange: 'mail' } },
  { name: 'mail', type: 'A', value: '192.0.2.25' },
  { name: '@', type: 'TXT', value: 'v=spf1 mx -all' },
  { name: '_sip._tcp', type: 'SRV', srv: { priority: 10, weight: 5, port: 5060, target: 'www' } },
];

function zone(records: DnsZone['spec']['records']): DnsZone {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'DnsZone',
    metadata: { name: 'e2e-test', namespace: NAMESPACE },
    spec: {
      origin: 'e2e.test',
      primary: { guestRef: { name: 'ns1' } },
      secondaries: [{ guestRef: { name: 'ns2' } }],
      defaultTTL: 300,
      // A refresh time far beyond the test: changes reach the secondary only by NOTIFY.
      soa: { rname: 'hostmaster', refresh: 3600, retry: 600, expire: 1209600, minimum: 300 },
      records,
    },
  };
}

async function getZone(): Promise<DnsZone | undefined> {
  const result = await kubectl(['get', 'dnszone', 'e2e-test', '-n', NAMESPACE, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as DnsZone) : undefined;
}

/** What every guest answers for name and type. */
const everywhere = (name: string, type: string) =>
  Promise.all(GUESTS.map((g) => dig(dnsPort(g), name, type)));

describe('DnsZone on two guests (QEMU, TCG)', () => {
  let operator: OperatorProcess | undefined;
  const suite = e2eSuite('dnsZone', () => ({
    namespace: NAMESPACE,
    guests: GUESTS.map((guest) => ({ name: guest, domain: prefixOf(guest), sshPort: sshPort(guest) })),
    operatorLines: () => operator?.lines ?? [],
  }));

  /** eventually, and when it times out: what each guest serves, the zone's status and the operator's warnings. */
  async function eventuallyOrReport(check: () => Promise<boolean>, timeoutMs: number, what: string) {
    try {
      await eventually(check, timeoutMs, what);
    } catch (error) {
      const serials = await everywhere('e2e.test', 'SOA');
      const warnings = (operator?.lines ?? []).filter((line) => Number(line.level) >= 40).slice(-20);
      console.log(
        `${what}:\nSOA on ${GUESTS.join(', ')}: ${JSON.stringify(serials)}\n` +
          `status: ${JSON.stringify((await getZone())?.status)}\n` +
          warnings.map((line) => JSON.stringify(line)).join('\n'),
      );
      throw error;
    }
  }

  suite.setUp(async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    await apply(localHost(NAMESPACE));
    for (const guest of GUESTS) ports.set(guest, { ssh: await freePort(), dns: await freePort() });
    operator = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
  });
  suite.cleanUp(async () => {
    operator?.child.kill('SIGKILL');
    // After a failure: nothing of the test stays on the host.
    for (const guest of GUESTS) await removeFromHost(prefixOf(guest));
  });

  suite.step(
    'boots both guests in parallel',
    async () => {
      const started = Date.now();
      await Promise.all(
        GUESTS.map((guest) => apply(guestDomain(NAMESPACE, guest, sshPort(guest), dnsPort(guest)))),
      );
      await untilGuestsReady(NAMESPACE, GUESTS);
      console.log(`both guests GuestReady after ${Math.round((Date.now() - started) / 1000)} s`);
    },
    { needs: [], timeoutMs: BOOT_STEP_TIMEOUT_MS },
  );

  suite.step(
    'serves the zone from the primary and the secondary, with the same serial',
    async () => {
      const started = Date.now();
      await apply(zone(baseRecords));
      await eventuallyOrReport(
        async () => (await getZone())?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
        180_000,
        'the zone Ready',
      );
      console.log(`zone Ready after ${Math.round((Date.now() - started) / 1000)} s`);
      const status = (await getZone())?.status;
      expect(status?.inSync).toBe(true);
      expect(status?.serials?.map((s) => [s.server, s.role])).toEqual([
        ['ns1', 'primary'],
        ['ns2', 'secondary'],
      ]);
      expect(new Set(status?.serials?.map((s) => s.serial)).size).toBe(1);
      expect(status?.serials?.[0]?.serial).toBeGreaterThan(0);

      for (const answer of await everywhere('www.e2e.test', 'A'))
        expect(answer).toEqual({ status: 'NOERROR', data: ['192.0.2.80'] });
      for (const answer of await everywhere('www.e2e.test', 'AAAA'))
        expect(answer.data).toEqual(['2001:db8::80']);
      for (const answer of await everywhere('e2e.test', 'MX'))
        expect(answer.data).toEqual(['10 mail.e2e.test.']);
      for (const answer of await everywhere('e2e.test', 'TXT'))
        expect(answer.data).toEqual(['"v=spf1 mx -all"']);
      for (const answer of await everywhere('_sip._tcp.e2e.test', 'SRV'))
        expect(answer.data).toEqual(['10 5 5060 www.e2e.test.']);
      for (const answer of await everywhere('e2e.test', 'NS'))
        expect(answer.data).toEqual(['ns1.e2e.test.', 'ns2.e2e.test.']);
      // The operator itself uses TCP; users get it too.
      expect(await dig(dnsPort('ns2'), 'www.e2e.test', 'A', 'tcp')).toEqual({
        status: 'NOERROR',
        data: ['192.0.2.80'],
      });
    },
    { needs: ['boots both guests in parallel'] },
  );

  suite.step(
    'brings a record changed with kubectl to both guests within seconds',
    async () => {
      const changed = [
        ...baseRecords.filter((r) => r.name !== 'www' || r.type !== 'A'),
        { name: 'www', type: 'A' as const, value: '192.0.2.81' },
      ];
      const started = Date.now();
      await apply(zone(changed));
      await eventuallyOrReport(
        async () => (await everywhere('www.e2e.test', 'A')).every((a) => a.data.join() === '192.0.2.81'),
        // Generous: TCG guests on a busy machine; the latency target is measured by bench:dns-propagation.
        120_000,
        'the new address on both guests',
      );
      console.log(`the change reached both guests after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    { needs: ['serves the zone from the primary and the secondary, with the same serial'] },
  );

  suite.step(
    'refuses names outside its zones',
    async () => {
      for (const answer of await everywhere('www.example.org', 'A')) expect(answer.status).toBe('REFUSED');
    },
    { needs: ['boots both guests in parallel'] },
  );

  suite.step(
    'benchmarks the primary and the secondary guest against a native BIND, with a report',
    async () => {
      // No kubelet here: the local Job runner runs each benchmark Job's command as a process.
      const jobs = await startLocalJobRunner({ kubeconfig: testKubeconfig() });
      const started = Date.now();
      try {
        await apply({
          apiVersion: 'servirt.dev/v1alpha1',
          kind: 'Benchmark',
          metadata: { name: 'e2e-dns', namespace: NAMESPACE },
          spec: {
            type: 'dns',
            targets: [
              { name: 'primary', kind: 'guestDomain', guestRef: { name: 'ns1' } },
              { name: 'secondary', kind: 'guestDomain', guestRef: { name: 'ns2' } },
              { name: 'native', kind: 'native' },
            ],
            baseline: 'native',
            duration: '3s',
            repeats: 2,
            dns: { zoneRef: { name: 'e2e-test' }, clients: 2 },
          },
        });
        const benchmark = async () =>
          JSON.parse(
            (await kubectl(['get', 'benchmark', 'e2e-dns', '-n', NAMESPACE, '-o', 'json'])).stdout,
          ) as Benchmark;
        await eventually(
          async () => ['Succeeded', 'Failed'].includes((await benchmark()).status?.runs?.[0]?.phase ?? ''),
          300_000,
          'the benchmark run finished',
        );
        const status = (await benchmark()).status;
        console.log(
          `benchmark finished after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(status?.runs?.[0]?.results)}`,
        );
        expect(status?.runs?.[0]?.phase).toBe('Succeeded');
        expect(status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
        const results = status?.runs?.[0]?.results ?? [];
        expect(results.map((r) => r.target)).toEqual(['primary', 'secondary', 'native']);
        for (const result of results) {
          expect(result.qps).toBeGreaterThan(0);
          expect(result.latencyP99Ms).toBeGreaterThan(0);
          expect(result.ratioToBaseline).toBeGreaterThan(0);
        }
        const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'servirt-e2e-report-')), 'report.png');
        await screenshot(`http://127.0.0.1:${operator?.port ?? 0}${status?.reportPath}`, file);
        const png = decodePng(await readFile(file));
        // The guests' bars are short under TCG (a few % of native): some blue, a long gray baseline.
        expect(countColor(png, [0x25, 0x63, 0xeb], 8)).toBeGreaterThan(200);
        expect(countColor(png, [0x6b, 0x72, 0x80], 8)).toBeGreaterThan(5000);
      } finally {
        await jobs.stop();
      }
    },
    { needs: ['serves the zone from the primary and the secondary, with the same serial'] },
  );

  suite.step(
    'takes the zone off both guests when the DnsZone is deleted',
    async () => {
      const deleted = await kubectl(['delete', 'dnszone', 'e2e-test', '-n', NAMESPACE, '--timeout=300s']);
      expect(deleted.code).toBe(0);
      await eventuallyOrReport(
        async () => (await everywhere('e2e.test', 'SOA')).every((a) => a.status === 'REFUSED'),
        120_000,
        'the zone gone from both guests',
      );
    },
    { needs: ['serves the zone from the primary and the secondary, with the same serial'] },
  );

  suite.step(
    'leaves no domain, volume or seed ISO behind when the guests are deleted',
    async () => {
      const deleted = await kubectl(['delete', 'gd', ...GUESTS, '-n', NAMESPACE, '--timeout=300s']);
      expect(deleted.code).toBe(0);
      for (const guest of GUESTS)
        expect(await leftovers(prefixOf(guest))).toEqual({ domains: [], volumes: [] });
    },
    { needs: [] },
  );
});
