// `servirt bench run`: the benchmark runner inside a Benchmark's Job. Reads its plan from the
// environment and its input from a ConfigMap, measures, and writes the result ConfigMap (owned by
// the Benchmark) that the controller reads: results never travel through logs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import { CONFIG_MAPS, resourcePath } from '../kube/resourcePath.js';
import { controllerReference } from '../kube/secrets.js';
import {
  BENCHMARK_LABEL,
  PLAN_ENV,
  QUERIES_KEY,
  RESULT_KEY,
  RUN_LABEL,
  ZONE_KEY,
  type RepeatResult,
  type RunPlan,
} from '../bench/plan.js';
import { runRepeat } from '../bench/runner.js';
import { startNativeBind } from '../bench/native/nativeBind.js';
import { parsePlan } from '../bench/planCheck.js';

export const BENCH_RUN_USAGE = `usage: servirt bench run
  Runs one repeat of a Benchmark run as its Job does: the plan comes from $${PLAN_ENV}, the
  input from the ConfigMap the plan names, and the result goes to the result ConfigMap.`;

interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export async function benchRunCommand(args: string[], output: Output, env = process.env): Promise<number> {
  if (args.length > 0) {
    output.stderr(`${BENCH_RUN_USAGE}\n`);
    return 2;
  }
  const parsed = parsePlan(env[PLAN_ENV]);
  if ('error' in parsed) {
    output.stderr(`servirt bench run: ${parsed.error}\n`);
    return 2;
  }
  const plan = parsed.plan;
  const client = await KubeClient.create(loadKubeConfig(env));
  const namespace = plan.benchmark.namespace;
  const inputData = await readConfigMap(client, namespace, plan.inputConfigMap);
  const work = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-'));
  try {
    let queriesFile: string | undefined;
    const queries = inputData[QUERIES_KEY];
    if (queries !== undefined) {
      queriesFile = path.join(work, QUERIES_KEY);
      await writeFile(queriesFile, queries);
    }
    const zone = inputData[ZONE_KEY];
    const origin = plan.dns?.origin;
    const result = await runRepeat(plan, {
      ...(queriesFile && { queriesFile }),
      ...(zone !== undefined && origin && { startNative: () => startNativeBind(origin, zone) }),
      env,
      log: (message) => output.stdout(`${new Date().toISOString()} ${message}\n`),
    });
    await writeResult(client, plan, result);
    const failed = result.outcomes.filter((o) => o.failed).map((o) => `${o.target}: ${o.failed?.reason}`);
    output.stdout(
      `run ${plan.runId} repeat ${plan.repeat} done${failed.length ? `; failed ${failed.join(', ')}` : ''}\n`,
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function readConfigMap(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Record<string, string>> {
  const configMap = await client.request<{ data?: Record<string, string> }>({
    method: 'GET',
    path: resourcePath(CONFIG_MAPS, { namespace, name }),
  });
  return configMap.data ?? {};
}

/** Creates the result ConfigMap; one left by an earlier attempt of the same Job is replaced. */
async function writeResult(client: KubeClient, plan: RunPlan, result: RepeatResult): Promise<void> {
  const { namespace, name, uid } = plan.benchmark;
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: plan.resultConfigMap,
      namespace,
      labels: {
        'app.kubernetes.io/managed-by': 'servirt',
        [BENCHMARK_LABEL]: name,
        [RUN_LABEL]: plan.runId,
      },
      ownerReferences: [
        controllerReference({ apiVersion: 'servirt.dev/v1alpha1', kind: 'Benchmark', name, uid }),
      ],
    },
    data: { [RESULT_KEY]: JSON.stringify(result) },
  };
  await client.request({
    method: 'PATCH',
    path: resourcePath(CONFIG_MAPS, { namespace, name: plan.resultConfigMap }),
    query: { fieldManager: 'servirt-bench-runner', force: true },
    contentType: 'application/apply-patch+yaml',
    body,
  });
}
