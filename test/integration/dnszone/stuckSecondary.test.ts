// A secondary that was down when the primary changed missed the NOTIFY; with the zone's SOA
// refresh at an hour BIND alone would wait that long. The operator sees it stay behind and asks it
// to refresh.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DnsZone } from '../../../operator/src/api/types.generated.js';
import { querySoaSerial } from '../../../operator/src/dns/client.js';
import { EVENTS, resourcePath } from '../../../operator/src/kube/resourcePath.js';
import { testKubeconfig } from '../cluster.js';
import { eventually } from '../runtime/harness.js';
import { startDnsEnvironment, type DnsEnvironment } from './environment.js';

let env: DnsEnvironment;
beforeAll(async () => {
  env = await startDnsEnvironment(testKubeconfig(), 'dnszone-stuck', ['ns1', 'ns2']);
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

const serial = (server: string) =>
  querySoaSerial({ host: '127.0.0.1', port: env.servers.get(server)?.dnsPort ?? 0 }, 'stuck.test', {
    timeoutMs: 1_000,
  }).catch(() => undefined);
const zone = (address: string): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: { name: 'stuck-test' },
  spec: {
    origin: 'stuck.test',
    primary: { guestRef: { name: 'ns1' } },
    secondaries: [{ guestRef: { name: 'ns2' } }],
    soa: { rname: 'hostmaster', refresh: 3600, retry: 900, expire: 1209600, minimum: 300 },
    records: [{ name: 'www', type: 'A', value: address }],
  },
});

describe('a secondary that missed a change', () => {
  it('is asked to refresh by the operator and catches up', async () => {
    await env.applyZone(zone('192.0.2.1'));
    await eventually(
      async () => (await env.getZone('stuck-test'))?.status?.inSync === true,
      30_000,
      'in sync',
    );
    const ns2 = env.servers.get('ns2');
    await ns2?.kill();
    const before = await serial('ns1');
    await env.applyZone(zone('192.0.2.2'));
    let primarySerial = before;
    await eventually(
      async () => (primarySerial = await serial('ns1')) !== before,
      10_000,
      'the primary changed',
    );
    // Down past the primary's NOTIFY retries: nothing but the operator tells ns2 of the change.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await ns2?.restart();
    await eventually(async () => (await serial('ns2')) === primarySerial, 45_000, 'ns2 caught up');
    const events = await env.client.request<{ items: { reason: string; message: string }[] }>({
      method: 'GET',
      path: resourcePath(EVENTS, { namespace: env.namespace }),
    });
    expect(events.items.map((e) => e.reason)).toContain('RefreshRequested');
  }, 90_000);
});
