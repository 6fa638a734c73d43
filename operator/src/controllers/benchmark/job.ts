// The objects of one benchmark run, as pure functions of the Benchmark and its plan: the input
// ConfigMap, the runner's ServiceAccount, Role and RoleBinding, and a Job per repeat.
import type { Benchmark } from '../../api/types.generated.js';
import { BENCHMARK_LABEL, PLAN_ENV, ROLE_LABEL, RUN_LABEL, type RunPlan } from '../../bench/plan.js';
import { controllerReference } from '../../kube/secrets.js';
import type { SecretEnv } from './targets.js';
import { runnerName } from './names.js';

/** How the operator's image runs the runner; a local Job runner maps this onto the repository. */
export const RUNNER_COMMAND = ['node', 'dist/operator/src/cli/main.js', 'bench', 'run'];
/** Time for the runner beyond the measurements themselves: start, a native server, the result. */
const OVERHEAD_SECONDS = 300;

function ownedMetadata(benchmark: Benchmark, name: string, role: string, runId?: string) {
  return {
    name,
    namespace: benchmark.metadata.namespace,
    labels: {
      'app.kubernetes.io/managed-by': 'servirt',
      [BENCHMARK_LABEL]: benchmark.metadata.name ?? '',
      [ROLE_LABEL]: role,
      ...(runId && { [RUN_LABEL]: runId }),
    },
    ownerReferences: [
      controllerReference({
        apiVersion: 'servirt.dev/v1alpha1',
        kind: 'Benchmark',
        name: benchmark.metadata.name ?? '',
        uid: benchmark.metadata.uid ?? '',
      }),
    ],
  };
}

export function inputConfigMap(
  benchmark: Benchmark,
  name: string,
  runId: string,
  data: Record<string, string>,
) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(benchmark, name, 'input', runId),
    data,
  };
}

/** The runner may read its input and write its result: ConfigMaps of its namespace, nothing else. */
export function runnerAccess(benchmark: Benchmark) {
  const name = runnerName(benchmark.metadata.name ?? '');
  const metadata = ownedMetadata(benchmark, name, 'runner');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: benchmark.metadata.namespace }],
    },
  ];
}

export function runnerJob(
  benchmark: Benchmark,
  name: string,
  plan: RunPlan,
  secretEnv: readonly SecretEnv[],
  image: string,
) {
  const seconds = plan.targets.length * (plan.durationSeconds + plan.warmupSeconds) + OVERHEAD_SECONDS;
  const labels = {
    [BENCHMARK_LABEL]: benchmark.metadata.name ?? '',
    [RUN_LABEL]: plan.runId,
    [ROLE_LABEL]: 'runner',
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: ownedMetadata(benchmark, name, 'runner', plan.runId),
    spec: {
      // A failed measurement is a result, not a reason to measure again: the run reports it.
      backoffLimit: 0,
      activeDeadlineSeconds: Math.ceil(seconds),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: runnerName(benchmark.metadata.name ?? ''),
          ...(benchmark.spec.runner?.hostNetwork && {
            hostNetwork: true,
            // Cluster names still resolve through the cluster's DNS from the node's network.
            dnsPolicy: 'ClusterFirstWithHostNet',
          }),
          // Pod Security `restricted` as a whole: a tenant's namespace may enforce it.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'runner',
              image,
              command: RUNNER_COMMAND,
              env: [
                { name: PLAN_ENV, value: JSON.stringify(plan) },
                ...secretEnv.map((e) => ({
                  name: e.name,
                  valueFrom: { secretKeyRef: { name: e.secret, key: e.key } },
                })),
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}
