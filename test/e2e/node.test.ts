// A real node (containerd + kubelet in namespaces of their own, hack/cluster/node.ts) with the
// scheduler and the full controller manager: a pod of the runner image, as the restricted Pod
// Security Standard wants it, is scheduled, runs, and its log comes through the API server; a Job
// completes; a pod reaches the API server through the `kubernetes` Service (kube-proxy); nothing
// is left behind when the node stops.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startClusterControllers } from '../../hack/cluster/clusterControllers.js';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { LocalNode, POD_SUBNET } from '../../hack/cluster/node.js';
import { toolPath } from '../../hack/cluster/tools.js';
import { buildImages, type BuiltImages } from '../../hack/image/images.js';
import { eventually } from '../integration/operatorProcess.js';

const run = promisify(execFile);

/** A container of the runner image as Pod Security `restricted` wants it. */
function restrictedRunner(images: BuiltImages, command: string[]) {
  return {
    name: 'runner',
    image: images.runner.image,
    imagePullPolicy: 'Never',
    command,
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}

describe('a local node (containerd + kubelet)', () => {
  let dir: string;
  let plane: ControlPlane;
  let images: BuiltImages;
  let node: LocalNode | undefined;
  let controllers: { stop(): Promise<void> } | undefined;
  const kubectl = async (args: string[], input?: string) => {
    const child = run(await toolPath('kubectl'), ['--kubeconfig', plane.kubeconfigPath, ...args]);
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return (await child).stdout;
  };

  beforeAll(async () => {
    images = await buildImages();
    dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-node-'));
    plane = await ControlPlane.start(dir, process.pid);
    controllers = await startClusterControllers(plane, process.pid);
  }, 40 * 60_000);
  afterAll(async () => {
    await node?.stop();
    await controllers?.stop();
    await plane?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('goes Ready on containerd with the project-built sandbox image', async () => {
    node = await LocalNode.start({
      name: 'e2e',
      plane,
      imageArchives: [images.pause.archive, images.runner.archive],
      sandboxImage: images.pause.image,
      ownerPid: process.pid,
    });
    const described = JSON.parse(await kubectl(['get', 'node', node.nodeName, '-o', 'json']));
    expect(described.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
    expect(described.status.addresses).toContainEqual({
      type: 'InternalIP',
      address: node.place.nodeAddress,
    });
  }, 300_000);

  it('schedules and runs a restricted pod of the runner image and serves its log through the API server', async () => {
    if (!node) throw new Error('no node');
    await kubectl(['create', 'namespace', 'runner-check']);
    await kubectl(['label', 'namespace', 'runner-check', 'pod-security.kubernetes.io/enforce=restricted']);
    await eventually(
      () =>
        kubectl(['get', 'serviceaccount', 'default', '-n', 'runner-check']).then(
          () => true,
          () => false,
        ),
      120_000,
      'the default ServiceAccount (kube-controller-manager)',
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dnsperf-version', namespace: 'runner-check' },
      spec: {
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [restrictedRunner(images, ['sh', '-c', 'id -u && dnsperf -h 2>&1 | head -n1'])],
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(pod));
    const podField = (jsonPath: string) =>
      kubectl(['get', 'pod', '-n', 'runner-check', 'dnsperf-version', '-o', `jsonpath={${jsonPath}}`]);
    let phase = '';
    await eventually(
      async () => {
        phase = await podField('.status.phase');
        return ['Succeeded', 'Failed'].includes(phase);
      },
      120_000,
      'the pod to end',
    );
    expect(phase).toBe('Succeeded');
    expect(await podField('.spec.nodeName')).toBe(node.nodeName);
    const podIp = await podField('.status.podIP');
    expect(podIp).toMatch(new RegExp(`^${POD_SUBNET.split('.').slice(0, 3).join('\\.')}\\.`));
    const logs = await kubectl(['logs', '-n', 'runner-check', 'dnsperf-version']);
    expect(logs.split('\n').slice(0, 2)).toEqual(['65532', expect.stringMatching(/^Usage: dnsperf/)]);
  }, 180_000);

  it("lets a pod reach the API server through the kubernetes Service with its service account's token (kube-proxy)", async () => {
    // The way every in-cluster client (the operator's among them) reaches the API server.
    const probe = [
      "const fs = require('fs'), https = require('https');",
      "const dir = '/var/run/secrets/kubernetes.io/serviceaccount/';",
      'https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT,',
      "  path: '/api/v1/namespaces/runner-check/secrets', ca: fs.readFileSync(dir + 'ca.crt'),",
      "  headers: { authorization: 'Bearer ' + fs.readFileSync(dir + 'token', 'utf8') } }, (response) => {",
      "  let body = ''; response.on('data', (chunk) => (body += chunk));",
      "  response.on('end', () => console.log(response.statusCode, JSON.parse(body).message));",
      "}).on('error', (error) => { console.log('error', error.message); process.exit(1); });",
    ].join('\n');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-probe', namespace: 'runner-check' },
      spec: {
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [restrictedRunner(images, ['node', '-e', probe])],
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(pod));
    let phase = '';
    await eventually(
      async () => {
        phase = await kubectl([
          'get',
          'pod',
          '-n',
          'runner-check',
          'api-probe',
          '-o',
          'jsonpath={.status.phase}',
        ]);
        return ['Succeeded', 'Failed'].includes(phase);
      },
      120_000,
      'the probe pod to end',
    );
    const logs = await kubectl(['logs', '-n', 'runner-check', 'api-probe']);
    // 403 naming the pod's service account: TLS verified against the cluster's CA, the token
    // authenticated, and RBAC (which grants the default account nothing) said no.
    expect(logs.trim()).toMatch(
      /^403 .*"system:serviceaccount:runner-check:default" cannot list resource "secrets"/,
    );
    expect(phase).toBe('Succeeded');
  }, 180_000);

  it('completes a Job (job controller, scheduler, kubelet)', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'sysbench-version', namespace: 'runner-check' },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [restrictedRunner(images, ['sysbench', '--version'])],
          },
        },
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(job));
    await eventually(
      async () =>
        (await kubectl([
          'get',
          'job',
          '-n',
          'runner-check',
          'sysbench-version',
          '-o',
          'jsonpath={.status.succeeded}',
        ])) === '1',
      120_000,
      'the Job to succeed',
    );
    expect(await kubectl(['logs', '-n', 'runner-check', 'job/sysbench-version'])).toMatch(/^sysbench 1\./);
  }, 180_000);

  it('leaves no process, namespace, mount, cgroup or link behind when stopped', async () => {
    if (!node) throw new Error('no node');
    const { place } = node;
    await node.stop();
    node = undefined;
    const { stdout: netnsList } = await run('ip', ['netns', 'list']);
    expect(netnsList).not.toContain(path.basename(place.netns));
    expect(await readFile('/proc/mounts', 'utf8')).not.toContain(place.runDir);
    expect(existsSync(place.runDir)).toBe(false);
    expect(existsSync(`/sys/fs/cgroup/pids${place.cgroupRoot}`)).toBe(false);
    const { stdout: links } = await run('ip', ['-o', 'link']);
    expect(links).not.toContain(place.hostLink);
    const { stdout: processes } = await run('ps', ['-eo', 'args']);
    expect(processes).not.toMatch(new RegExp(`(containerd|kubelet) .*${place.runDir}`));
  }, 120_000);
});
