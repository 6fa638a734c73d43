// npm run bench:dns-propagation [-- --changes N]: a DnsZone served by a real named primary and two
// real named secondaries (test/integration/dnszone/environment.ts: each behind a loopback sshd, as
// guests are), the DnsZone controller in this process against a fresh local API server. Applies N
// record changes, one after another, each as a write of the DnsZone object, and measures the time
// from the API write until the new answer comes from the primary and from every secondary; and the
// time from creating a new zone until every server answers for it. Prints one JSON line last:
// {changes, p50Ms, p99Ms, secondaries, newZoneSeconds, …}.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';
import type { DnsZone, DnsZoneRecord } from '../../operator/src/api/types.generated.js';
import { query, querySoaSerial } from '../../operator/src/dns/client.js';
import { startDnsEnvironment, type DnsEnvironment } from '../integration/dnszone/environment.js';
import { waitUntil } from './support.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '200' } } });
const changes = Number(values.changes);
if (!Number.isInteger(changes) || changes < 1) throw new Error('--changes must be a positive integer');
const SERVERS = ['ns1', 'ns2', 'ns3'];
const RECORDS = 100;
const log = (message: string) => process.stderr.write(`[bench:dns-propagation] ${message}\n`);

const zone = (name: string, origin: string, records: DnsZoneRecord[]): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: { name },
  spec: {
    origin,
    primary: { guestRef: { name: 'ns1' } },
    secondaries: SERVERS.slice(1).map((guest) => ({ guestRef: { name: guest } })),
    defaultTTL: 300,
    records,
  },
});
const addressOf = (index: number, round: number) => `198.51.100.${((index + round * 37) % 250) + 1}`;

const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-dns-'));
const plane = await ControlPlane.start(dir, process.pid);
let env: DnsEnvironment | undefined;
try {
  await installCrds(plane.kubeconfigPath);
  env = await startDnsEnvironment(plane.kubeconfigPath, 'bench', SERVERS);
  const servers = SERVERS.map((name) => ({
    name,
    endpoint: { host: '127.0.0.1', port: env?.servers.get(name)?.dnsPort ?? 0 },
  }));

  const secondsUntilServedEverywhere = async (name: string, origin: string) => {
    const started = performance.now();
    await env?.applyZone(zone(name, origin, [{ name: 'www', type: 'A', value: '192.0.2.80' }]));
    await waitUntil(
      async () => {
        const serials = await Promise.all(
          servers.map((s) => querySoaSerial(s.endpoint, origin, { timeoutMs: 500 }).catch(() => undefined)),
        );
        return serials.every((serial) => serial !== undefined);
      },
      30_000,
      5,
    );
    return (performance.now() - started) / 1000;
  };
  log('a new zone on servers that serve nothing yet (catalogs and keys set up on the way)');
  const coldSeconds = await secondsUntilServedEverywhere('first-bench', 'first.bench');
  log(`  ${coldSeconds.toFixed(2)} s`);
  log('a new zone on servers that already serve one');
  const warmSeconds = await secondsUntilServedEverywhere('second-bench', 'second.bench');
  log(`  ${warmSeconds.toFixed(2)} s`);

  const records: DnsZoneRecord[] = Array.from({ length: RECORDS }, (_, i) => ({
    name: `r${i}`,
    type: 'A',
    value: addressOf(i, 0),
  }));
  await env.applyZone(zone('bench', 'bench.test', records));
  await waitUntil(
    async () =>
      (await env?.getZone('bench'))?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    60_000,
  );
  log(`zone bench.test with ${RECORDS} records Ready; applying ${changes} changes one after another`);

  const everywhere: number[] = [];
  const onPrimary: number[] = [];
  for (let change = 0; change < changes; change++) {
    const index = change % RECORDS;
    const value = addressOf(index, Math.floor(change / RECORDS) + 1);
    records[index] = { name: `r${index}`, type: 'A', value };
    const name = `r${index}.bench.test`;
    const started = performance.now();
    await env.applyZone(zone('bench', 'bench.test', records));
    const arrivals = await Promise.all(
      servers.map(async (server) => {
        for (;;) {
          const answer = await query(server.endpoint, name, 'A', { transport: 'udp', timeoutMs: 500 }).catch(
            () => undefined,
          );
          if (answer?.answers.some((r) => r.data === value)) return performance.now() - started;
          if (performance.now() - started > 30_000)
            throw new Error(`${name} never became ${value} on ${server.name}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }),
    );
    onPrimary.push(arrivals[0] as number);
    everywhere.push(Math.max(...arrivals));
    if ((change + 1) % 50 === 0) log(`  ${change + 1} changes`);
  }

  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
  };
  console.log(
    JSON.stringify({
      changes,
      p50Ms: percentile(everywhere, 50),
      p99Ms: percentile(everywhere, 99),
      maxMs: percentile(everywhere, 100),
      primaryP50Ms: percentile(onPrimary, 50),
      primaryP99Ms: percentile(onPrimary, 99),
      secondaries: SERVERS.length - 1,
      newZoneSeconds: Math.round(Math.max(coldSeconds, warmSeconds) * 100) / 100,
      newZoneSecondsWarm: Math.round(warmSeconds * 100) / 100,
    }),
  );
} finally {
  await env?.stop();
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}
