// The DnsZone controller serving zones from real named processes: records everywhere, changes by
// signed UPDATE, catalog zones bringing zones to the secondaries, bad input leaving the zone alone,
// servers that crash, and what an unkeyed client may not do.
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import type { DnsZone } from '../../../operator/src/api/types.generated.js';
import { query, querySoaSerial, type DnsEndpoint } from '../../../operator/src/dns/client.js';
import { resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { DNS_ZONES } from '../../../operator/src/controllers/dnszone/reconciler.js';
import { runCommand, testKubeconfig } from '../cluster.js';
import { eventually } from '../runtime/harness.js';
import { startDnsEnvironment, type DnsEnvironment } from './environment.js';

let env: DnsEnvironment;
beforeAll(async () => {
  env = await startDnsEnvironment(testKubeconfig(), 'dnszone-it');
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const endpoint = (server: string): DnsEndpoint => ({
  host: '127.0.0.1',
  port: env.servers.get(server)?.dnsPort ?? 0,
});
const answer = async (server: string, name: string, type = 'A') => {
  const result = await query(endpoint(server), name, type, { transport: 'udp', timeoutMs: 1_000 }).catch(
    () => undefined,
  );
  return result?.rcode === 'NOERROR'
    ? result.answers
        .filter((r) => r.type === type)
        .map((r) => r.data)
        .sort()
    : [];
};
const serial = (server: string, zone: string) =>
  querySoaSerial(endpoint(server), zone, { timeoutMs: 1_000 }).catch(() => undefined);
const condition = (zone: DnsZone | undefined, type: string) =>
  zone?.status?.conditions?.find((c) => c.type === type);

function exampleZone(records: DnsZone['spec']['records']): DnsZone {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'DnsZone',
    metadata: { name: 'example-test' },
    spec: {
      origin: 'example.test',
      primary: { guestRef: { name: 'ns1' } },
      secondaries: [{ guestRef: { name: 'ns2' } }, { guestRef: { name: 'ns3' } }],
      defaultTTL: 300,
      // A restarted secondary asks the primary for news after the SOA refresh time.
      soa: { rname: 'hostmaster', refresh: 10, retry: 5, expire: 1209600, minimum: 300 },
      records,
    },
  };
}

const baseRecords: NonNullable<DnsZone['spec']['records']> = [
  { name: 'www', type: 'A', value: '192.0.2.80' },
  { name: 'www', type: 'AAAA', value: '2001:db8::80' },
  { name: '@', type: 'MX', mx: { preference: 10, exchange: 'mail' } },
  { name: 'mail', type: 'A', value: '192.0.2.25' },
  { name: '@', type: 'TXT', value: 'v=spf1 mx -all' },
  { name: 'docs', type: 'CNAME', value: 'www' },
  { name: '_sip._tcp', type: 'SRV', srv: { priority: 10, weight: 5, port: 5060, target: 'www' } },
];

describe('DnsZone on real BIND', () => {
  it('serves the zone from the primary and, through catalog zones, from every secondary', async () => {
    await env.applyZone(exampleZone(baseRecords));
    await eventually(
      async () => condition(await env.getZone('example-test'), 'Ready')?.status === 'True',
      30_000,
      'Ready',
    );
    for (const server of ['ns1', 'ns2', 'ns3']) {
      expect(await answer(server, 'www.example.test')).toEqual(['192.0.2.80']);
      expect(await answer(server, 'example.test', 'MX')).toEqual(['10 mail.example.test.']);
      expect(await answer(server, 'example.test', 'NS')).toEqual([
        'ns1.example.test.',
        'ns2.example.test.',
        'ns3.example.test.',
      ]);
    }
    const zone = await env.getZone('example-test');
    const serials = zone?.status?.serials ?? [];
    expect(serials.map((s) => [s.server, s.role])).toEqual([
      ['ns1', 'primary'],
      ['ns2', 'secondary'],
      ['ns3', 'secondary'],
    ]);
    expect(new Set(serials.map((s) => s.serial)).size).toBe(1);
    expect(zone?.status?.inSync).toBe(true);
    expect(zone?.status?.tsigSecretName).toBe('example-test-tsig');
  });

  it('applies a record change on every server', async () => {
    const before = await serial('ns1', 'example.test');
    await env.applyZone(
      exampleZone([
        ...baseRecords.filter((r) => r.name !== 'www' || r.type !== 'A'),
        { name: 'www', type: 'A', value: '192.0.2.81' },
        { name: 'new', type: 'TXT', value: 'x'.repeat(300) },
      ]),
    );
    await eventually(
      async () => {
        const everywhere = await Promise.all(['ns1', 'ns2', 'ns3'].map((s) => answer(s, 'www.example.test')));
        return everywhere.every((a) => a.join() === '192.0.2.81');
      },
      10_000,
      'the new address on every server',
    );
    const txt = await answer('ns3', 'new.example.test', 'TXT');
    expect(txt).toEqual([`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`]);
    expect(await serial('ns1', 'example.test')).toBeGreaterThan(before ?? 0);
  });

  it('leaves the served zone exactly as it was when the spec is invalid, and says why', async () => {
    const before = await serial('ns1', 'example.test');
    await env.applyZone(
      exampleZone([...baseRecords, { name: 'www', type: 'A', value: '192.0.2.82', ttl: 60 }]),
    );
    await eventually(
      async () => condition(await env.getZone('example-test'), 'Ready')?.reason === 'RRsetTTLMismatch',
      10_000,
      'RRsetTTLMismatch',
    );
    const ready = condition(await env.getZone('example-test'), 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.message).toContain('www.example.test. A');
    expect(await serial('ns1', 'example.test')).toBe(before);
    expect(await answer('ns2', 'www.example.test')).toEqual(['192.0.2.81']);
    expect(condition(await env.getZone('example-test'), 'ZoneServed')?.status).toBe('True');
  });

  it('puts back a record changed behind its back', async () => {
    await env.applyZone(exampleZone(baseRecords));
    await eventually(
      async () => (await answer('ns1', 'www.example.test')).join() === '192.0.2.80',
      10_000,
      'spec again',
    );
    const key = await zoneKey();
    await env.servers
      .get('ns1')
      ?.nsupdate(key, [
        'zone example.test.',
        'update delete www.example.test. A',
        'update add www.example.test. 300 A 198.51.100.66',
      ]);
    expect(await answer('ns1', 'www.example.test')).toEqual(['198.51.100.66']);
    // Any change of the object has the zone read and compared again (else the periodic check does).
    await env.client.request({
      method: 'PATCH',
      path: resourcePath(DNS_ZONES, { namespace: env.namespace, name: 'example-test' }),
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { touched: String(Date.now()) } } },
    });
    await eventually(
      async () => (await answer('ns1', 'www.example.test')).join() === '192.0.2.80',
      10_000,
      'restored',
    );
  });

  it('brings a new zone to every secondary within seconds', async () => {
    const started = Date.now();
    await env.applyZone({
      ...exampleZone([{ name: 'host', type: 'A', value: '203.0.113.7' }]),
      metadata: { name: 'second-test' },
      spec: {
        ...exampleZone([]).spec,
        origin: 'second.test',
        records: [{ name: 'host', type: 'A', value: '203.0.113.7' }],
      },
    });
    await eventually(
      async () => {
        const all = await Promise.all(['ns1', 'ns2', 'ns3'].map((s) => answer(s, 'host.second.test')));
        return all.every((a) => a.join() === '203.0.113.7');
      },
      10_000,
      'second.test everywhere',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses what an unkeyed client asks: recursion, updates, transfers; keys are in no status', async () => {
    for (const server of ['ns1', 'ns2']) {
      const outside = await query(endpoint(server), 'www.example.org', 'A', { transport: 'udp' });
      expect(outside.rcode).toBe('REFUSED');
    }
    const port = String(env.servers.get('ns1')?.dnsPort);
    const axfr = await runCommand('dig', ['-p', port, '@127.0.0.1', 'example.test', 'AXFR', '+tries=1']);
    expect(axfr.stdout).toContain('Transfer failed');
    const update = await runCommand(
      'nsupdate',
      [],
      `server 127.0.0.1 ${port}\nzone example.test.\nupdate add evil.example.test. 60 A 192.0.2.66\nsend\n`,
    );
    expect(update.code).not.toBe(0);
    expect(update.stdout + update.stderr).toMatch(/REFUSED|NOTAUTH/);
    const wrongKey = await runCommand('dig', [
      '-p',
      port,
      '@127.0.0.1',
      'example.test',
      'AXFR',
      '-y',
      `hmac-sha256:example.test-transfer:${Buffer.alloc(32, 1).toString('base64')}`,
    ]);
    expect(wrongKey.stdout).not.toContain('www.example.test.');
    const key = await zoneKey();
    const zone = await env.getZone('example-test');
    expect(JSON.stringify(zone)).not.toContain(key.secret);
  });

  it('keeps serving from the secondaries when the primary is down; a restarted secondary catches up by itself', async () => {
    await env.stopOperator();
    try {
      const ns1 = env.servers.get('ns1');
      const ns2 = env.servers.get('ns2');
      await ns1?.kill();
      expect(await answer('ns2', 'www.example.test')).toEqual(['192.0.2.80']);
      expect(await answer('ns3', 'www.example.test')).toEqual(['192.0.2.80']);
      await ns1?.restart();
      await ns2?.kill();
      const key = await zoneKey();
      await ns1?.nsupdate(key, ['zone example.test.', 'update add late.example.test. 300 A 192.0.2.99']);
      await ns2?.restart();
      const primarySerial = await serial('ns1', 'example.test');
      await eventually(
        async () => (await serial('ns2', 'example.test')) === primarySerial,
        30_000,
        'ns2 caught up',
      );
      expect(await answer('ns2', 'late.example.test')).toEqual(['192.0.2.99']);
    } finally {
      await env.startOperator();
    }
  }, 180_000);

  it('takes a deleted zone off every server, and keeps the others', async () => {
    await env.deleteZone('second-test');
    await eventually(
      async () => (await env.getZone('second-test')) === undefined,
      15_000,
      'finalizer removed',
    );
    await eventually(
      async () => {
        const all = await Promise.all(['ns1', 'ns2', 'ns3'].map((s) => serial(s, 'second.test')));
        return all.every((s) => s === undefined);
      },
      10_000,
      'second.test gone everywhere',
    );
    expect(await answer('ns3', 'www.example.test')).toEqual(['192.0.2.80']);
  });
});

async function zoneKey(): Promise<{ name: string; algorithm: 'hmac-sha256'; secret: string }> {
  const secret = await env.client.request<{ data: { secret: string } }>({
    method: 'GET',
    path: resourcePath(SECRETS, { namespace: env.namespace, name: 'example-test-tsig' }),
  });
  return {
    name: 'example.test-transfer',
    algorithm: 'hmac-sha256',
    secret: Buffer.from(secret.data.secret, 'base64').toString(),
  };
}
