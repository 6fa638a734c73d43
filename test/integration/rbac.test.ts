// The packaging against the real API server: the Helm chart installs, its pod passes the
// `restricted` Pod Security Standard, and its ServiceAccount can do exactly what the
// operator needs (kubectl auth can-i, so the real RBAC authorizer decides). The kustomize
// tree builds, carries the same RBAC and the same pod, and nothing grants a wildcard.
import { parseAllDocuments } from 'yaml';
import { installKubeVirtCrds } from '../../hack/cluster/crds.js';
import { helm, kubectl, repoPath, testKubeconfig } from './cluster.js';

const namespace = 'servirt-system';
const release = 'servirt';
const serviceAccount = `system:serviceaccount:${namespace}:servirt`;
/** Any namespace other than the operator's: the ClusterRole applies everywhere. */
const tenant = 'tenant-a';
const kinds = ['virtualhosts', 'guestdomains', 'dnszones', 'websites', 'benchmarks'];

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
};
type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] };

interface Check {
  verb: string;
  resource: string; // as kubectl takes it: plural[.group]
  subresource?: string;
  namespace?: string; // omitted: cluster-scoped; '*': all namespaces
  allowed: boolean;
}

const allow = (verbs: string[], resource: string, extra: Partial<Check> = {}): Check[] =>
  verbs.map((verb) => ({ verb, resource, namespace: tenant, ...extra, allowed: true }));
const deny = (verbs: string[], resource: string, extra: Partial<Check> = {}): Check[] =>
  verbs.map((verb) => ({ verb, resource, namespace: tenant, ...extra, allowed: false }));

const checks: Check[] = [
  ...kinds.flatMap((kind) => [
    ...allow(['get', 'list', 'watch', 'patch', 'update'], `${kind}.servirt.dev`),
    ...allow(['list', 'watch'], `${kind}.servirt.dev`, { namespace: '*' }),
    ...allow(['get', 'patch', 'update'], `${kind}.servirt.dev`, { subresource: 'status' }),
    ...allow(['update'], `${kind}.servirt.dev`, { subresource: 'finalizers' }),
    ...deny(['create', 'delete', 'deletecollection'], `${kind}.servirt.dev`),
    ...deny(['patch'], `${kind}.servirt.dev`, { subresource: 'finalizers' }),
  ]),
  ...allow(['get', 'list', 'watch', 'create', 'patch'], 'secrets'),
  ...allow(['list', 'watch'], 'secrets', { namespace: '*' }),
  ...deny(['delete', 'deletecollection', 'update'], 'secrets'),
  ...allow(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], 'configmaps'),
  ...deny(['deletecollection'], 'configmaps'),
  ...allow(['create', 'patch'], 'events'),
  ...allow(['create', 'patch'], 'events.events.k8s.io'),
  ...deny(['delete', 'list'], 'events'),
  ...deny(['delete', 'list'], 'events.events.k8s.io'),
  ...allow(['get', 'list', 'watch', 'create', 'delete'], 'jobs.batch'),
  ...deny(['update', 'patch', 'deletecollection'], 'jobs.batch'),
  ...deny(['create', 'delete'], 'cronjobs.batch'),
  ...allow(['get', 'list', 'watch'], 'pods'),
  ...deny(['create', 'delete', 'patch'], 'pods'),
  ...deny(['create', 'get'], 'pods', { subresource: 'exec' }),
  ...deny(['create'], 'pods', { subresource: 'attach' }),
  ...deny(['create'], 'pods', { subresource: 'portforward' }),
  ...deny(['get'], 'pods', { subresource: 'log' }),
  ...allow(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], 'virtualmachines.kubevirt.io'),
  ...deny(['deletecollection'], 'virtualmachines.kubevirt.io'),
  ...allow(['get', 'list', 'watch'], 'virtualmachineinstances.kubevirt.io'),
  ...deny(['create', 'delete', 'patch'], 'virtualmachineinstances.kubevirt.io'),
  ...allow(['get', 'create', 'update'], 'leases.coordination.k8s.io', { namespace }),
  ...deny(['patch', 'delete', 'list', 'watch'], 'leases.coordination.k8s.io', { namespace }),
  ...deny(['get', 'create', 'update'], 'leases.coordination.k8s.io', { namespace: 'kube-system' }),
  ...deny(['get', 'create', 'update'], 'leases.coordination.k8s.io'),
  ...deny(['create', 'delete'], 'deployments.apps'),
  ...deny(['update'], 'deployments.apps', { namespace }),
  ...deny(['create'], 'serviceaccounts', { subresource: 'token' }),
  ...deny(['impersonate'], 'serviceaccounts'),
  // Each Benchmark's runner: a ServiceAccount and a Role limited to ConfigMaps (the API server
  // lets the operator grant only what it holds itself: no bind, no escalate).
  ...allow(['get', 'create', 'patch'], 'serviceaccounts'),
  ...deny(['delete', 'list'], 'serviceaccounts'),
  ...allow(['get', 'create', 'patch'], 'roles.rbac.authorization.k8s.io'),
  ...allow(['get', 'create', 'patch'], 'rolebindings.rbac.authorization.k8s.io'),
  ...deny(['bind', 'escalate', 'delete'], 'roles.rbac.authorization.k8s.io'),
  ...deny(['create', 'bind'], 'clusterroles.rbac.authorization.k8s.io'),
  ...deny(['create'], 'clusterrolebindings.rbac.authorization.k8s.io'),
  ...deny(['get', 'list'], 'nodes', { namespace: undefined }),
  ...deny(['list', 'create', 'escalate'], 'clusterroles.rbac.authorization.k8s.io', { namespace: undefined }),
  ...deny(['create'], 'clusterrolebindings.rbac.authorization.k8s.io', { namespace: undefined }),
  ...deny(['list', 'create'], 'namespaces', { namespace: undefined }),
  ...deny(['get', 'create'], 'customresourcedefinitions.apiextensions.k8s.io', { namespace: undefined }),
  ...deny(['create'], 'certificatesigningrequests.certificates.k8s.io', { namespace: undefined }),
  ...deny(['impersonate'], 'users', { namespace: undefined }),
  ...deny(['*'], '*'),
  ...deny(['*'], '*', { namespace: '*' }),
  ...deny(['*'], '*', { namespace: undefined }),
  ...deny(['*'], 'secrets'),
  ...deny(['*'], 'virtualhosts.servirt.dev'),
];

const describeCheck = (c: Check) =>
  `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} ` +
  (c.namespace === undefined ? '(cluster)' : c.namespace === '*' ? '(all namespaces)' : `in ${c.namespace}`);

async function canI(check: Check): Promise<{ answer: string; stderr: string }> {
  const args = ['auth', 'can-i', check.verb, check.resource, `--as=${serviceAccount}`];
  if (check.subresource) args.push(`--subresource=${check.subresource}`);
  if (check.namespace === '*') args.push('--all-namespaces');
  else if (check.namespace) args.push('-n', check.namespace);
  const result = await kubectl(args);
  return { answer: result.stdout.trim(), stderr: result.stderr.trim() };
}

function parseYamlStream(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

async function renderChart(...extraArgs: string[]): Promise<K8sObject[]> {
  const rendered = await helm([
    'template',
    release,
    repoPath('charts/servirt'),
    '-n',
    namespace,
    ...extraArgs,
  ]);
  expect(rendered.stderr).toBe('');
  expect(rendered.code).toBe(0);
  return parseYamlStream(rendered.stdout);
}

async function buildKustomize(): Promise<K8sObject[]> {
  const built = await kubectl(['kustomize', repoPath('config/default')]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
  return parseYamlStream(built.stdout);
}

const find = (objects: K8sObject[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as K8sObject;
};
const rulesOf = (objects: K8sObject[], kind: 'ClusterRole' | 'Role') => find(objects, kind).rules as Rule[];
const wildcards = (objects: K8sObject[]) =>
  objects
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) => (o.rules as Rule[]).map((rule) => ({ role: `${o.kind}/${o.metadata.name}`, rule })))
    .filter(({ rule }) =>
      [rule.apiGroups, rule.resources, rule.verbs, rule.nonResourceURLs].some((list) =>
        (list ?? []).some((item) => item.includes('*')),
      ),
    );

// kubectl auth can-i resolves resource names through discovery: KubeVirt's CRDs (with schemas
// from its OpenAPI spec) make kubevirt.io's resources known.
describe('Helm chart on the real API server', () => {
  beforeAll(async () => {
    await installKubeVirtCrds(testKubeconfig());
    const installed = await helm([
      'upgrade',
      '--install',
      release,
      repoPath('charts/servirt'),
      '-n',
      namespace,
      '--create-namespace',
    ]);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
  });

  it('creates the ServiceAccount, RBAC, Deployment and metrics Service', async () => {
    const got = await kubectl([
      'get',
      '-n',
      namespace,
      'serviceaccount/servirt',
      'deployment/servirt',
      'service/servirt-metrics',
      'role/servirt-leader-election',
      'rolebinding/servirt-leader-election',
      'clusterrole/servirt',
      'clusterrolebinding/servirt',
      '-o',
      'name',
    ]);
    expect(got.stderr).toBe('');
    expect(got.stdout.trim().split('\n')).toHaveLength(7);
  });

  it('runs a pod that the `restricted` Pod Security Standard admits', async () => {
    const labeled = await kubectl([
      'label',
      'namespace',
      namespace,
      '--overwrite',
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/enforce-version=latest',
    ]);
    expect(labeled.code).toBe(0);
    const deployment = JSON.parse(
      (await kubectl(['get', '-n', namespace, 'deployment/servirt', '-o', 'json'])).stdout,
    );
    const template = deployment.spec.template;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'servirt-admission-check', namespace, labels: template.metadata.labels },
      spec: template.spec,
    };
    const created = await kubectl(
      ['create', '--dry-run=server', '-f', '-', '-o', 'json'],
      JSON.stringify(pod),
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const spec = JSON.parse(created.stdout).spec;
    const container = spec.containers[0];
    expect(spec.serviceAccountName).toBe('servirt');
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(container.command).toEqual(['node', '--max-semi-space-size=1', 'dist/operator/src/main.js']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.env.map((e: { name: string }) => e.name)).toEqual([
      'POD_NAMESPACE',
      'POD_NAME',
      'LOG_LEVEL',
      'SERVIRT_HTTP_PORT',
      'SERVIRT_RUNNER_IMAGE',
    ]);
    // Benchmark Jobs run the runner image, not the operator's.
    expect(container.image).toBe('servirt:0.1.0');
    expect(container.env.find((e: { name: string }) => e.name === 'SERVIRT_RUNNER_IMAGE').value).toBe(
      'servirt-runner:0.1.0',
    );
    expect(container.volumeMounts).toContainEqual(
      expect.objectContaining({ name: 'tmp', mountPath: '/tmp' }),
    );

    // And the same pod without the container's hardening is refused: the check has teeth.
    delete pod.spec.containers[0].securityContext;
    const refused = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('violates PodSecurity "restricted');
  });

  it('grants the ServiceAccount exactly what the operator needs', async () => {
    const results = await Promise.all(checks.map(async (check) => ({ check, ...(await canI(check)) })));
    const unexpected = results
      .filter(({ check, answer }) => answer !== (check.allowed ? 'yes' : 'no'))
      .map(
        ({ check, answer, stderr }) =>
          `${describeCheck(check)}: expected ${check.allowed ? 'yes' : 'no'}, got "${answer}" ${stderr}`,
      );
    expect(unexpected).toEqual([]);
    // A resource unknown to discovery makes kubectl ask about the wrong thing (and say no).
    const unresolved = results
      .filter(({ stderr }) => /doesn't have a resource type/.test(stderr))
      .map(({ check, stderr }) => `${describeCheck(check)}: ${stderr}`);
    expect(unresolved).toEqual([]);
  });

  it('passes helm lint --strict', async () => {
    const linted = await helm(['lint', '--strict', repoPath('charts/servirt')]);
    expect(linted.code).toBe(0);
    expect(linted.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('rejects values outside values.schema.json', async () => {
    for (const bad of [
      'unknownKey=1',
      'image.pullPolicy=Sometimes',
      'logLevel=loud',
      'resources.limits.cpu=lots',
    ]) {
      const rendered = await helm(['template', release, repoPath('charts/servirt'), '--set', bad]);
      expect(rendered.code).not.toBe(0);
      expect(rendered.stderr).toMatch(/schema/);
    }
  });
});

describe('kustomize tree (config/default)', () => {
  it('builds the namespace, five CRDs, RBAC, Deployment and Service, with no wildcard', async () => {
    const objects = await buildKustomize();
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name);
    expect(crds.sort()).toEqual(kinds.map((kind) => `${kind}.servirt.dev`).sort());
    expect(find(objects, 'Namespace').metadata.name).toBe(namespace);
    for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'Role', 'RoleBinding']) {
      expect(find(objects, kind).metadata.namespace).toBe(namespace);
    }
    find(objects, 'ClusterRole');
    find(objects, 'ClusterRoleBinding');
    expect(wildcards(objects)).toEqual([]);
  });

  it('carries the same RBAC and the same pod as the Helm chart', async () => {
    const chart = await renderChart();
    const kustomized = await buildKustomize();
    expect(wildcards(chart)).toEqual([]);
    expect(rulesOf(kustomized, 'ClusterRole')).toEqual(rulesOf(chart, 'ClusterRole'));
    expect(rulesOf(kustomized, 'Role')).toEqual(rulesOf(chart, 'Role'));
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      expect(find(kustomized, kind).subjects).toEqual(find(chart, kind).subjects);
    }
    const podSpec = (objects: K8sObject[]) =>
      (find(objects, 'Deployment').spec as { template: { spec: unknown } }).template.spec;
    expect(podSpec(kustomized)).toEqual(podSpec(chart));
    const serviceSpec = (objects: K8sObject[]) => find(objects, 'Service').spec;
    expect(serviceSpec(kustomized)).toEqual(serviceSpec(chart));
  });
});
