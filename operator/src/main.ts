// The operator process: configuration, logging, HTTP endpoints and the wiring of controllers.
import os from 'node:os';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { configFromEnv } from './config.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { waitForApiServer } from './kube/apiServer.js';
import { KubeClient } from './kube/client.js';
import { createHttpEndpoints } from './manager/httpEndpoints.js';
import { Manager } from './manager/manager.js';
import { OperatorMetrics } from './manager/metrics.js';
import { registerVirtualHostController } from './controllers/virtualhost/register.js';
import { registerGuestDomainController } from './controllers/guestdomain/register.js';
import { registerDnsZoneController } from './controllers/dnszone/register.js';
import { registerWebSiteController } from './controllers/website/register.js';
import { registerBenchmarkController } from './controllers/benchmark/register.js';

const config = configFromEnv(process.env, os.hostname());
const log = pino({ level: config.logLevel, base: { pod: config.podName } });

process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  log.fatal({ err: error }, 'unhandled rejection');
  process.exit(1);
});

const metrics = new OperatorMetrics();
const stopping = new AbortController();
const started: {
  manager?: Manager;
  benchmarkReport?: (namespace: string, name: string) => Promise<string | undefined>;
} = {};

const server = createHttpEndpoints(
  { healthy: () => true, ready: () => !stopping.signal.aborted && (started.manager?.ready ?? false) },
  metrics.registry,
  { benchmarkReport: async (namespace, name) => started.benchmarkReport?.(namespace, name) },
);
server.listen(config.httpPort, config.httpHost);
await once(server, 'listening');
log.info(
  { address: server.address() as AddressInfo },
  'serving /healthz, /readyz, /metrics and /benchmarks/<namespace>/<name>',
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    stopping.abort();
    server.closeAllConnections();
    server.close();
    void (started.manager?.stop() ?? Promise.resolve()).finally(() => {
      log.info('stopped');
      process.exit(0);
    });
  });
}

const kubeConfig = loadKubeConfig();
const version = await waitForApiServer(kubeConfig, log, stopping.signal);
log.info({ server: kubeConfig.getCurrentCluster()?.server, version }, 'API server reached');

const client = await KubeClient.create(kubeConfig, (code, method, host) =>
  metrics.restRequests.inc({ code, method, host }),
);
const manager = new Manager(client, metrics, log, {
  ...(config.leaderElection && {
    leaderElection: {
      namespace: config.namespace,
      name: 'servirt-operator',
      identity: `${config.podName}_${randomBytes(4).toString('hex')}`,
    },
  }),
  onLostLeadership: () => {
    log.error('lost leadership; exiting so that a fresh process campaigns again');
    process.exit(1);
  },
});

started.manager = manager;
registerVirtualHostController(manager, { concurrency: config.concurrency });
registerGuestDomainController(manager, { concurrency: config.concurrency });
registerDnsZoneController(manager, { concurrency: config.concurrency });
registerWebSiteController(manager, { concurrency: config.concurrency });
started.benchmarkReport = registerBenchmarkController(manager, {
  concurrency: config.concurrency,
  runnerImage: config.runnerImage,
}).benchmarkReport;

await manager.start();
log.info({ leaderElection: config.leaderElection }, 'caches synced; ready');
