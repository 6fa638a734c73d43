// The operator process: configuration, logging, HTTP endpoints and the wiring of controllers.
import os from 'node:os';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { configFromEnv } from './config.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { waitForApiServer } from './kube/apiServer.js';
import { createHttpEndpoints } from './manager/httpEndpoints.js';

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

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const stopping = new AbortController();
let apiServerReached = false;

const server = createHttpEndpoints(
  { healthy: () => true, ready: () => apiServerReached && !stopping.signal.aborted },
  registry,
);
server.listen(config.httpPort, config.httpHost);
await once(server, 'listening');
log.info({ address: server.address() as AddressInfo }, 'serving /healthz, /readyz and /metrics');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    stopping.abort();
    server.close(() => {
      log.info('stopped');
      process.exit(0);
    });
    server.closeAllConnections();
  });
}

const kubeConfig = loadKubeConfig();
const version = await waitForApiServer(kubeConfig, log, stopping.signal);
apiServerReached = true;
log.info({ server: kubeConfig.getCurrentCluster()?.server, version }, 'API server reached; ready');
