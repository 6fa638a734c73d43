// The DnsZone controller against real BIND: named processes, each behind the shared real sshd
// as its "guest" (test/integration/bind/bindServer.ts; their GuestDomains from
// ../standIn/guests.ts), a real API server, and the controller in this process. The e2e test runs
// the same controller against real guests.
import { pino } from 'pino';
import type { DnsZone } from '../../../operator/src/api/types.generated.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath } from '../../../operator/src/kube/resourcePath.js';
import { Manager } from '../../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { DNS_ZONES } from '../../../operator/src/controllers/dnszone/reconciler.js';
import { registerDnsZoneController } from '../../../operator/src/controllers/dnszone/register.js';
import { clientFor } from '../runtime/harness.js';
import { createStandInGuest, createStandInNamespace } from '../standIn/guests.js';
import { startBindServers, type BindTestServer } from '../bind/bindServer.js';

export interface DnsEnvironment {
  namespace: string;
  client: KubeClient;
  servers: Map<string, BindTestServer>;
  metrics: OperatorMetrics;
  /** The operator's log lines, when started with captureLogs. */
  logs: string[];
  applyZone(zone: DnsZone): Promise<DnsZone>;
  getZone(name: string): Promise<DnsZone | undefined>;
  deleteZone(name: string): Promise<void>;
  stopOperator(): Promise<void>;
  startOperator(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDnsEnvironment(
  kubeconfigPath: string,
  namespace: string,
  names: string[] = ['ns1', 'ns2', 'ns3'],
  options: { captureLogs?: boolean } = {},
): Promise<DnsEnvironment> {
  const logs: string[] = [];
  const log = options.captureLogs
    ? pino({ level: 'debug' }, { write: (line: string) => logs.push(line) })
    : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const servers = await startBindServers(names.length, names);
  const byName = new Map(servers.map((server) => [server.name, server]));
  const client = await clientFor(kubeconfigPath);
  await createStandInNamespace(client, namespace);
  for (const server of servers) {
    await createStandInGuest(client, namespace, server.name, server.ssh, [
      { name: 'dns', protocol: 'tcp', hostPort: server.dnsPort, guestPort: 53 },
      { name: 'dns-udp', protocol: 'udp', hostPort: server.dnsPort, guestPort: 53 },
    ]);
  }

  const metrics = new OperatorMetrics(false);
  let operator: { manager: Manager; client: KubeClient } | undefined;
  const startOperator = async () => {
    const operatorClient = await clientFor(kubeconfigPath, metrics);
    const manager = new Manager(operatorClient, metrics, log, {});
    registerDnsZoneController(manager, {
      layoutOf: (server) => (byName.get(server.guest) as BindTestServer).layout,
    });
    await manager.start();
    operator = { manager, client: operatorClient };
  };
  const stopOperator = async () => {
    await operator?.manager.stop();
    operator?.client.close();
    operator = undefined;
  };
  await startOperator();

  const zonePath = (name?: string) => resourcePath(DNS_ZONES, { namespace, ...(name && { name }) });
  return {
    namespace,
    client,
    servers: byName,
    metrics,
    logs,
    applyZone: (zone) =>
      client.request<DnsZone>({
        method: 'PATCH',
        path: zonePath(zone.metadata.name),
        body: { ...zone, metadata: { ...zone.metadata, namespace } },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'test', force: 'true' },
      }),
    getZone: (name) =>
      client.request<DnsZone>({ method: 'GET', path: zonePath(name) }).catch(() => undefined),
    deleteZone: async (name) => {
      await client.request({ method: 'DELETE', path: zonePath(name) });
    },
    startOperator,
    stopOperator,
    stop: async () => {
      await stopOperator();
      client.close();
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}
