import type { Level } from 'pino';

export interface OperatorConfig {
  /** Address and port of the HTTP server for /healthz, /readyz and /metrics. */
  httpHost: string;
  httpPort: number;
  logLevel: Level;
  /** Namespace the operator runs in (leases live here); from the downward API in a pod. */
  namespace: string;
  /** Name of this replica, used as the leader-election identity. */
  podName: string;
  /** Campaign for the Lease `servirt-operator` before reconciling, so several replicas can run. */
  leaderElection: boolean;
  /** Workers per controller. */
  concurrency: number;
  /** Image of the benchmark Jobs (their runner is `servirt bench run`): the operator's own. */
  runnerImage: string;
}

const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Reads the operator's configuration from the environment; throws on a value that is present but wrong. */
export function configFromEnv(env: NodeJS.ProcessEnv, hostname: string): OperatorConfig {
  const port = Number(env.SERVIRT_HTTP_PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SERVIRT_HTTP_PORT must be an integer from 0 to 65535, got "${env.SERVIRT_HTTP_PORT}"`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as Level;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const concurrency = Number(env.SERVIRT_CONCURRENCY ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new Error(`SERVIRT_CONCURRENCY must be an integer from 1 to 64, got "${env.SERVIRT_CONCURRENCY}"`);
  }
  const leaderElection = env.SERVIRT_LEADER_ELECTION ?? 'true';
  if (leaderElection !== 'true' && leaderElection !== 'false') {
    throw new Error(`SERVIRT_LEADER_ELECTION must be true or false, got "${leaderElection}"`);
  }
  return {
    httpHost: env.SERVIRT_HTTP_HOST ?? '0.0.0.0',
    httpPort: port,
    logLevel,
    namespace: env.POD_NAMESPACE ?? 'default',
    podName: env.POD_NAME ?? hostname,
    leaderElection: leaderElection === 'true',
    concurrency,
    runnerImage: env.SERVIRT_RUNNER_IMAGE ?? 'servirt-runner:0.1.0',
  };
}
