import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** Waits until the API server answers /version, retrying with capped exponential backoff. */
export async function waitForApiServer(
  kubeConfig: KubeConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<string> {
  const api = kubeConfig.makeApiClient(VersionApi);
  for (let attempt = 0; ; attempt++) {
    try {
      const version = await api.getCode();
      return version.gitVersion;
    } catch (error) {
      const delayMs = Math.min(30_000, 500 * 2 ** attempt);
      log.warn(
        { err: error, server: kubeConfig.getCurrentCluster()?.server, retryInMs: delayMs },
        'API server not reachable',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (signal.aborted) throw new Error('stopped while waiting for the API server');
    }
  }
}
