// A DnsZone signed with BIND's dnssec-policy, copied signed to the secondary; and the TSIG keys
// never in the operator's logs (debug level), its status or its Events.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DnsZone } from '../../../operator/src/api/types.generated.js';
import { query, querySoaSerial } from '../../../operator/src/dns/client.js';
import { EVENTS, resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { testKubeconfig } from '../cluster.js';
import { eventually } from '../runtime/harness.js';
import { startDnsEnvironment, type DnsEnvironment } from './environment.js';

let env: DnsEnvironment;
beforeAll(async () => {
  env = await startDnsEnvironment(testKubeconfig(), 'dnszone-dnssec', ['ns1', 'ns2'], { captureLogs: true });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const endpoint = (server: string) => ({ host: '127.0.0.1', port: env.servers.get(server)?.dnsPort ?? 0 });
const signedZone = (policy: 'default' | 'insecure'): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: { name: 'signed-test' },
  spec: {
    origin: 'signed.test',
    primary: { guestRef: { name: 'ns1' } },
    secondaries: [{ guestRef: { name: 'ns2' } }],
    records: [{ name: 'www', type: 'A', value: '192.0.2.80' }],
    dnssec: { policy },
  },
});

describe('DnsZone with DNSSEC', () => {
  it('is signed on the primary and served signed by the secondary', async () => {
    await env.applyZone(signedZone('default'));
    await eventually(
      async () => {
        const keys = await query(endpoint('ns2'), 'signed.test', 'DNSKEY', { transport: 'tcp' }).catch(
          () => undefined,
        );
        return (keys?.answers.length ?? 0) > 0;
      },
      30_000,
      'a DNSKEY on the secondary',
    );
    const primaryKeys = await query(endpoint('ns1'), 'signed.test', 'DNSKEY', { transport: 'tcp' });
    const secondaryKeys = await query(endpoint('ns2'), 'signed.test', 'DNSKEY', { transport: 'tcp' });
    expect(secondaryKeys.answers.map((r) => r.data)).toEqual(primaryKeys.answers.map((r) => r.data));
    await eventually(
      async () => {
        const zone = await env.getZone('signed-test');
        return (
          zone?.status?.inSync === true &&
          zone.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
        );
      },
      30_000,
      'Ready and in sync',
    );
    expect(await querySoaSerial(endpoint('ns2'), 'signed.test')).toBe(
      await querySoaSerial(endpoint('ns1'), 'signed.test'),
    );
  }, 60_000);

  it('keeps the record set the spec asks for while BIND signs', async () => {
    await env.applyZone({
      ...signedZone('default'),
      spec: { ...signedZone('default').spec, records: [{ name: 'www', type: 'A', value: '192.0.2.81' }] },
    });
    await eventually(
      async () => {
        const answer = await query(endpoint('ns2'), 'www.signed.test', 'A', { transport: 'tcp' }).catch(
          () => undefined,
        );
        return answer?.answers.some((r) => r.type === 'A' && r.data === '192.0.2.81') === true;
      },
      10_000,
      'the changed record on the secondary',
    );
  });
});

describe('TSIG keys', () => {
  it('appear in no log line, status or Event', async () => {
    const secretOf = async (name: string) => {
      const secret = await env.client.request<{ data: { secret: string } }>({
        method: 'GET',
        path: resourcePath(SECRETS, { namespace: env.namespace, name }),
      });
      return Buffer.from(secret.data.secret, 'base64').toString();
    };
    const keys = [await secretOf('signed-test-tsig'), await secretOf('ns1-dns-transfer')];
    expect(env.logs.length).toBeGreaterThan(0);
    const zone = await env.getZone('signed-test');
    const events = await env.client.request<{ items: unknown[] }>({
      method: 'GET',
      path: resourcePath(EVENTS, { namespace: env.namespace }),
    });
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
      for (const line of env.logs) expect(line).not.toContain(key);
      expect(JSON.stringify(zone)).not.toContain(key);
      expect(JSON.stringify(events)).not.toContain(key);
    }
  });
});
