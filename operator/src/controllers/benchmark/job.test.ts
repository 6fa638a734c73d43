import { describe, expect, it } from '@jest/globals';
import type { Benchmark } from '../../api/types.generated.js';
import { BENCHMARK_LABEL, PLAN_ENV, ROLE_LABEL, RUN_LABEL, type RunPlan } from '../../bench/plan.js';
import { inputConfigMap, RUNNER_COMMAND, runnerAccess, runnerJob } from './job.js';
import type { SecretEnv } from './targets.js';

const bench: Benchmark = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  metadata: { name: 'dns', namespace: 'ns', uid: 'u1', generation: 2 },
  spec: { type: 'dns', targets: [{ name: 'n', kind: 'native' }] },
};
const RUN = '20261127-140512';
const owner = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  name: 'dns',
  uid: 'u1',
  controller: true,
  blockOwnerDeletion: true,
};
const plan = (targets: number, durationSeconds = 30, warmupSeconds = 3): RunPlan => ({
  benchmark: { namespace: 'ns', name: 'dns', uid: 'u1' },
  runId: RUN,
  repeat: 1,
  type: 'dns',
  durationSeconds,
  warmupSeconds,
  targets: Array.from({ length: targets }, (_, i) => ({ name: `t${i}`, kind: 'native' as const })),
  dns: { clients: 4, threads: 1, timeoutSeconds: 5, origin: 'example.com' },
  inputConfigMap: `dns-${RUN}-input`,
  resultConfigMap: `dns-${RUN}-1-result`,
});
const secretEnv: SecretEnv[] = [
  { name: 'SERVIRT_TARGET_1_CLIENT_KEY', secret: 'g-ssh', key: 'client_ed25519' },
  { name: 'SERVIRT_TARGET_1_HOST_KEY', secret: 'g-ssh', key: 'host_ed25519.pub' },
];
const job = (p: RunPlan = plan(2), env: SecretEnv[] = secretEnv) =>
  runnerJob(bench, `dns-${RUN}-1`, p, env, 'servirt:dev');

describe('runnerJob', () => {
  it('is owned by the Benchmark and labelled with its run', () => {
    expect(job().metadata).toEqual({
      name: `dns-${RUN}-1`,
      namespace: 'ns',
      labels: {
        'app.kubernetes.io/managed-by': 'servirt',
        [BENCHMARK_LABEL]: 'dns',
        [ROLE_LABEL]: 'runner',
        [RUN_LABEL]: RUN,
      },
      ownerReferences: [owner],
    });
    expect(job().spec.template.metadata.labels).toEqual({
      [BENCHMARK_LABEL]: 'dns',
      [RUN_LABEL]: RUN,
      [ROLE_LABEL]: 'runner',
    });
  });

  it('runs once, as the runner ServiceAccount, without privileges', () => {
    const { spec } = job();
    expect(spec.backoffLimit).toBe(0);
    expect(spec.template.spec.restartPolicy).toBe('Never');
    expect(spec.template.spec.serviceAccountName).toBe('dns-runner');
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    const [container] = spec.template.spec.containers;
    expect(container).toMatchObject({ name: 'runner', image: 'servirt:dev', command: RUNNER_COMMAND });
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container?.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it("stays in the pod network unless runner.hostNetwork asks for the node's", () => {
    expect(job().spec.template.spec).not.toHaveProperty('hostNetwork');
    const onNode = runnerJob(
      { ...bench, spec: { ...bench.spec, runner: { hostNetwork: true } } },
      `dns-${RUN}-1`,
      plan(1),
      [],
      'servirt:dev',
    );
    expect(onNode.spec.template.spec).toMatchObject({
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
    });
    expect(onNode.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
  });

  it('passes the plan as JSON and the guest keys from Secrets', () => {
    const p = plan(2);
    const env = job(p).spec.template.spec.containers[0]?.env ?? [];
    const [planEnv] = env;
    expect(planEnv?.name).toBe(PLAN_ENV);
    expect(JSON.parse(planEnv && 'value' in planEnv ? planEnv.value : '')).toEqual(p);
    expect(env.slice(1)).toEqual([
      {
        name: 'SERVIRT_TARGET_1_CLIENT_KEY',
        valueFrom: { secretKeyRef: { name: 'g-ssh', key: 'client_ed25519' } },
      },
      {
        name: 'SERVIRT_TARGET_1_HOST_KEY',
        valueFrom: { secretKeyRef: { name: 'g-ssh', key: 'host_ed25519.pub' } },
      },
    ]);
    expect(job(p, []).spec.template.spec.containers[0]?.env).toHaveLength(1);
  });

  it.each([
    [1, 30, 3, 333],
    [2, 30, 3, 366],
    [4, 30, 0, 420],
    [3, 3600, 360, 12180],
    [5, 1, 1, 310],
  ])('%d targets of %d s plus %d s warm-up: deadline %d s', (targets, duration, warmup, want) => {
    expect(job(plan(targets, duration, warmup)).spec.activeDeadlineSeconds).toBe(want);
  });

  it('gives more time to more targets and longer runs', () => {
    const deadline = (t: number, d: number, w: number) => job(plan(t, d, w)).spec.activeDeadlineSeconds;
    expect(deadline(3, 30, 3)).toBeGreaterThan(deadline(2, 30, 3));
    expect(deadline(2, 60, 3)).toBeGreaterThan(deadline(2, 30, 3));
    expect(deadline(2, 30, 3)).toBeGreaterThan(deadline(2, 30, 0));
  });
});

describe('runnerAccess', () => {
  const [account, role, binding] = runnerAccess(bench);

  it('makes a ServiceAccount, Role and RoleBinding named <bench>-runner, owned by the Benchmark', () => {
    expect([account?.kind, role?.kind, binding?.kind]).toEqual(['ServiceAccount', 'Role', 'RoleBinding']);
    for (const object of [account, role, binding]) {
      expect(object?.metadata).toMatchObject({
        name: 'dns-runner',
        namespace: 'ns',
        labels: { [BENCHMARK_LABEL]: 'dns', [ROLE_LABEL]: 'runner' },
        ownerReferences: [owner],
      });
      expect(object?.metadata.labels).not.toHaveProperty(RUN_LABEL);
    }
  });

  it('only lets the runner get, create and patch ConfigMaps', () => {
    expect(role).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }],
    });
  });

  it('binds the Role to the ServiceAccount', () => {
    expect(binding).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dns-runner' },
      subjects: [{ kind: 'ServiceAccount', name: 'dns-runner', namespace: 'ns' }],
    });
  });
});

describe('inputConfigMap', () => {
  it('holds the data, owned by the Benchmark and labelled as the run input', () => {
    const data = { 'queries.txt': 'example.com A\n' };
    expect(inputConfigMap(bench, `dns-${RUN}-input`, RUN, data)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `dns-${RUN}-input`,
        namespace: 'ns',
        labels: {
          'app.kubernetes.io/managed-by': 'servirt',
          [BENCHMARK_LABEL]: 'dns',
          [ROLE_LABEL]: 'input',
          [RUN_LABEL]: RUN,
        },
        ownerReferences: [owner],
      },
      data,
    });
  });
});
