// Stands for a kubelet (and the Job controller) on a machine with none: runs the container command
// of each benchmark Job the API server accepted as a local process, one at a time, with the Job's
// environment (Secret keys resolved as the kubelet would) and the Job's ServiceAccount identity (a
// token from the TokenRequest API in a kubeconfig, as a mounted service-account token would be).
// The image is this repository: `node dist/operator/src/…js` runs as `node --import tsx operator/src/….ts`.
// What a kubelet would also do and this does not: pull images, mount volumes, apply securityContext.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../operator/src/kube/client.js';
import { JOBS, SECRETS, CONFIG_MAPS, resourcePath } from '../../operator/src/kube/resourcePath.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}

export interface LocalJob {
  metadata: { name: string; namespace: string; uid: string; creationTimestamp?: string };
  spec: {
    template: {
      spec: {
        serviceAccountName?: string;
        containers: { name: string; command?: string[]; args?: string[]; env?: EnvVar[] }[];
      };
    };
  };
  status?: { startTime?: string; conditions?: unknown[] };
}

export interface JobRun {
  job: string;
  namespace: string;
  exitCode: number | null;
  output: string;
  env: Record<string, string>;
  command: string[];
}

export interface LocalJobRunner {
  /** Jobs run so far, in order. */
  runs: JobRun[];
  stop(): Promise<void>;
}

export const RUNNER_JOBS = 'servirt.dev/benchmark-role=runner';

export async function startLocalJobRunner(options: {
  kubeconfig: string;
  labelSelector?: string;
  pollMs?: number;
  log?: (line: string) => void;
}): Promise<LocalJobRunner> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.kubeconfig);
  const client = await KubeClient.create(kubeConfig);
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  const caData = kubeConfig.getCurrentCluster()?.caData;
  const caFile = kubeConfig.getCurrentCluster()?.caFile;
  const seen = new Set<string>();
  const runs: JobRun[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const list = await client
        .request<{ items: LocalJob[] }>({
          method: 'GET',
          path: resourcePath(JOBS),
          query: { labelSelector: options.labelSelector ?? RUNNER_JOBS },
        })
        .catch(() => ({ items: [] as LocalJob[] }));
      const next = list.items
        .filter((job) => !seen.has(job.metadata.uid))
        .sort((a, b) =>
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
        )[0];
      if (!next) {
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
        continue;
      }
      seen.add(next.metadata.uid);
      options.log?.(`running Job ${next.metadata.namespace}/${next.metadata.name}`);
      const run = await runJob(client, next, {
        server,
        ...(caData && { caData }),
        ...(caFile && { caFile }),
      });
      runs.push(run);
      options.log?.(`Job ${next.metadata.namespace}/${next.metadata.name} exited ${run.exitCode}`);
      await recordJobStatus(client, next, run.exitCode === 0).catch(() => undefined);
    }
  })();
  return {
    runs,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function runJob(
  client: KubeClient,
  job: LocalJob,
  cluster: { server: string; caData?: string; caFile?: string },
): Promise<JobRun> {
  const namespace = job.metadata.namespace;
  const container = job.spec.template.spec.containers[0];
  const command = [...(container?.command ?? []), ...(container?.args ?? [])];
  const env: Record<string, string> = {};
  for (const variable of container?.env ?? [])
    env[variable.name] = await resolveEnv(client, namespace, variable);
  const work = await mkdtemp(path.join(os.tmpdir(), 'servirt-job-'));
  try {
    const kubeconfig = path.join(work, 'kubeconfig');
    const token = await serviceAccountToken(
      client,
      namespace,
      job.spec.template.spec.serviceAccountName ?? 'default',
    );
    await writeFile(kubeconfig, kubeconfigFor(cluster, token, namespace), { mode: 0o600 });
    const [program, ...args] = asLocalCommand(command);
    const child = spawn(program ?? 'false', args, {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: work, TMPDIR: work, KUBECONFIG: kubeconfig, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
    return { job: job.metadata.name, namespace, exitCode, output, env, command };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The image's runner command, run from this repository. */
export function asLocalCommand(command: string[]): string[] {
  const [program, script, ...rest] = command;
  if (program === 'node' && script?.startsWith('dist/') && script.endsWith('.js'))
    return [
      process.execPath,
      '--import',
      'tsx',
      script.slice('dist/'.length).replace(/\.js$/, '.ts'),
      ...rest,
    ];
  return command;
}

async function resolveEnv(client: KubeClient, namespace: string, variable: EnvVar): Promise<string> {
  if (variable.value !== undefined) return variable.value;
  const secret = variable.valueFrom?.secretKeyRef;
  if (secret) {
    const object = await client.request<{ data?: Record<string, string> }>({
      method: 'GET',
      path: resourcePath(SECRETS, { namespace, name: secret.name }),
    });
    return Buffer.from(object.data?.[secret.key] ?? '', 'base64').toString('utf8');
  }
  const configMap = variable.valueFrom?.configMapKeyRef;
  if (configMap) {
    const object = await client.request<{ data?: Record<string, string> }>({
      method: 'GET',
      path: resourcePath(CONFIG_MAPS, { namespace, name: configMap.name }),
    });
    return object.data?.[configMap.key] ?? '';
  }
  return '';
}

async function serviceAccountToken(client: KubeClient, namespace: string, name: string): Promise<string> {
  const review = await client.request<{ status: { token: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return review.status.token;
}

function kubeconfigFor(
  cluster: { server: string; caData?: string; caFile?: string },
  token: string,
  namespace: string,
) {
  const ca = cluster.caData
    ? `certificate-authority-data: ${cluster.caData}`
    : `certificate-authority: ${cluster.caFile ?? ''}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: local, cluster: { server: "${cluster.server}", ${ca} } }]`,
    `users: [{ name: job, user: { token: "${token}" } }]`,
    `contexts: [{ name: job, context: { cluster: local, user: job, namespace: ${namespace} } }]`,
    'current-context: job',
    '',
  ].join('\n');
}

/** What the Job controller would write once its pod ended (best effort: the Benchmark reads its result ConfigMaps). */
async function recordJobStatus(client: KubeClient, job: LocalJob, succeeded: boolean): Promise<void> {
  const now = new Date().toISOString();
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    reason,
    message,
    lastProbeTime: now,
    lastTransitionTime: now,
  });
  const status = succeeded
    ? {
        startTime: job.status?.startTime ?? now,
        completionTime: now,
        succeeded: 1,
        conditions: [
          condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
          condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
        ],
      }
    : {
        startTime: job.status?.startTime ?? now,
        failed: 1,
        conditions: [
          condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
          condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
        ],
      };
  await client.request({
    method: 'PATCH',
    path: resourcePath(JOBS, {
      namespace: job.metadata.namespace,
      name: job.metadata.name,
      subresource: 'status',
    }),
    contentType: 'application/merge-patch+json',
    body: { status },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const kubeconfig = process.env.KUBECONFIG ?? path.join(os.homedir(), '.kube/config');
  const runner = await startLocalJobRunner({ kubeconfig, log: (line) => console.log(line) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void runner.stop().then(() => process.exit(0)));
}
