// The WebSite controller against real Apache: apache2 processes, each behind the shared real sshd
// as its "guest" (test/integration/apache/apacheServer.ts; their GuestDomains from
// ../standIn/guests.ts), a real API server, and the controller in this process. The e2e test runs
// the same controller against a real guest.
import { pino } from 'pino';
import type { WebSite } from '../../../operator/src/api/types.generated.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { CONFIG_MAPS, resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { Manager } from '../../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { WEB_SITES } from '../../../operator/src/controllers/website/reconciler.js';
import { registerWebSiteController } from '../../../operator/src/controllers/website/register.js';
import { clientFor } from '../runtime/harness.js';
import { createStandInGuest, createStandInNamespace } from '../standIn/guests.js';
import { startApacheServers, type ApacheTestServer } from '../apache/apacheServer.js';

export interface WebEnvironment {
  namespace: string;
  client: KubeClient;
  servers: Map<string, ApacheTestServer>;
  applySite(site: WebSite): Promise<WebSite>;
  getSite(name: string): Promise<WebSite | undefined>;
  deleteSite(name: string): Promise<void>;
  applyObject(kind: 'ConfigMap' | 'Secret', object: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function startWebEnvironment(
  kubeconfigPath: string,
  namespace: string,
  names: string[] = ['web1', 'web2'],
): Promise<WebEnvironment> {
  const servers = await startApacheServers(names.length, names);
  const byName = new Map(servers.map((server) => [server.name, server]));
  const client = await clientFor(kubeconfigPath);
  await createStandInNamespace(client, namespace);
  for (const server of servers) {
    await createStandInGuest(client, namespace, server.name, { ...server.ssh }, [
      { name: 'http', protocol: 'tcp', hostPort: server.httpPort, guestPort: 80 },
      { name: 'https', protocol: 'tcp', hostPort: server.httpsPort, guestPort: 443 },
    ]);
  }
  const operatorClient = await clientFor(kubeconfigPath, new OperatorMetrics(false));
  const manager = new Manager(operatorClient, new OperatorMetrics(false), log, {});
  registerWebSiteController(manager, {
    layoutOf: (guest) => (byName.get(guest.guest) as ApacheTestServer).layout,
  });
  await manager.start();

  const apply = async (path: string, body: Record<string, unknown>) => {
    await client.request({
      method: 'PATCH',
      path,
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'test', force: 'true' },
    });
  };
  const sitePath = (name: string) => resourcePath(WEB_SITES, { namespace, name });
  return {
    namespace,
    client,
    servers: byName,
    applySite: async (site) => {
      await apply(sitePath(site.metadata.name ?? ''), { ...site, metadata: { ...site.metadata, namespace } });
      return client.request<WebSite>({ method: 'GET', path: sitePath(site.metadata.name ?? '') });
    },
    getSite: (name) =>
      client.request<WebSite>({ method: 'GET', path: sitePath(name) }).catch(() => undefined),
    deleteSite: async (name) => {
      await client.request({ method: 'DELETE', path: sitePath(name) });
    },
    applyObject: async (kind, object) => {
      const metadata: Record<string, unknown> = {
        ...(object.metadata as Record<string, unknown>),
        namespace,
      };
      const type = kind === 'ConfigMap' ? CONFIG_MAPS : SECRETS;
      await apply(resourcePath(type, { namespace, name: String(metadata.name) }), {
        apiVersion: 'v1',
        kind,
        ...object,
        metadata,
      });
    },
    stop: async () => {
      await manager.stop();
      operatorClient.close();
      client.close();
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}
