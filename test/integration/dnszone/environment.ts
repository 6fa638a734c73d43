// The DnsZone controller against real BIND: three named processes, each behind the shared real
// sshd as its "guest" (test/integration/bind/bindServer.ts), a real API server, and the
// controller in this process. The GuestDomain objects are created with the status the
// GuestDomain controller gives a booted guest (GuestReady), standing in for VMs: the e2e test
// runs the same controller against real guests.
import { pino } from 'pino';
import type { DnsZone, GuestDomain } from '../../../operator/src/api/types.generated.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { Manager } from '../../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { GUEST_DOMAINS } from '../../../operator/src/controllers/guestdomain/reconciler.js';
import { VIRTUAL_HOSTS } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import { DNS_ZONES } from '../../../operator/src/controllers/dnszone/reconciler.js';
import { registerDnsZoneController } from '../../../operator/src/controllers/dnszone/register.js';
import { clientFor } from '../runtime/harness.js';
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
  await client.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: namespace } },
  });
  await client.request({
    method: 'POST',
    path: resourcePath(VIRTUAL_HOSTS, { namespace }),
    body: {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'VirtualHost',
      metadata: { name: 'local', namespace },
      spec: { provider: 'libvirt', libvirt: { uri: 'qemu:///system', hypervisor: 'qemu' } },
    },
  });
  for (const server of servers) await createGuest(client, namespace, server);

  const metrics = new OperatorMetrics(false);
  let operator: { manager: Manager; client: KubeClient } | undefined;
  const startOperator = async () => {
    const operatorClient = await clientFor(kubeconfigPath, metrics);
    const manager = new Manager(operatorClient, metrics, log, {});
    registerDnsZoneController(manager, {
      layoutOf: (server) => (byName.get(server.guest) as BindTestServer).layout,
      // The named processes reach each other on loopback, not through a VM's view of its host.
      peerOverride: (guest) => ({
        address: '127.0.0.1',
        port: byName.get(guest.metadata.name ?? '')?.dnsPort ?? 0,
      }),
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

async function createGuest(client: KubeClient, namespace: string, server: BindTestServer): Promise<void> {
  const guest = await client.request<GuestDomain>({
    method: 'POST',
    path: resourcePath(GUEST_DOMAINS, { namespace }),
    body: {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'GuestDomain',
      metadata: { name: server.name, namespace },
      spec: {
        virtualHostRef: { name: 'local' },
        vcpus: 1,
        memoryMiB: 512,
        disk: { baseImage: 'debian-12-servirt.qcow2' },
        network: {
          mode: 'user',
          hostForwards: [
            {
              name: 'ssh',
              protocol: 'tcp',
              hostAddress: '127.0.0.1',
              hostPort: server.ssh.port,
              guestPort: 22,
            },
            {
              name: 'dns',
              protocol: 'tcp',
              hostAddress: '127.0.0.1',
              hostPort: server.dnsPort,
              guestPort: 53,
            },
            {
              name: 'dns-udp',
              protocol: 'udp',
              hostAddress: '127.0.0.1',
              hostPort: server.dnsPort,
              guestPort: 53,
            },
          ],
        },
      },
    },
  });
  const now = new Date().toISOString();
  await client.request({
    method: 'PATCH',
    path: `${resourcePath(GUEST_DOMAINS, { namespace, name: server.name })}/status`,
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: 'Running',
        conditions: ['Defined', 'Running', 'GuestReady', 'Ready'].map((type) => ({
          type,
          status: 'True',
          reason: 'StandIn',
          message: 'a named process behind a loopback sshd stands for this guest',
          lastTransitionTime: now,
        })),
      },
    },
  });
  await client.request({
    method: 'POST',
    path: resourcePath(SECRETS, { namespace }),
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${server.name}-ssh`,
        namespace,
        ownerReferences: [
          {
            apiVersion: 'servirt.dev/v1alpha1',
            kind: 'GuestDomain',
            name: server.name,
            uid: guest.metadata.uid,
            controller: true,
          },
        ],
      },
      stringData: {
        host_ed25519: server.ssh.hostPrivateKey,
        'host_ed25519.pub': server.ssh.hostPublicKey,
        client_ed25519: server.ssh.clientPrivateKey,
        'client_ed25519.pub': server.ssh.clientPublicKey,
      },
    },
  });
}
