// A cluster with a real node, for e2e tests and benchmarks: the control plane, the full controller manager and
// scheduler, and a LocalNode (containerd + kubelet + kube-proxy) with the project's images loaded.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BuiltImages } from '../image/images.js';
import { startClusterControllers } from './clusterControllers.js';
import { ControlPlane } from './controlPlane.js';
import { LocalNode } from './node.js';
import { until } from './processes.js';
import { toolPath } from './tools.js';

const run = promisify(execFile);

export interface NodeCluster {
  plane: ControlPlane;
  node: LocalNode;
  kubectl(args: string[], input?: string): Promise<string>;
  helm(args: string[]): Promise<string>;
  /** GETs url from a pod of the runner image in namespace (as `restricted` wants it): status line and body. */
  getFromPod(
    namespace: string,
    url: string,
    image: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** Starts it all; name: the node's (1-8 of a-z0-9), unique among the tests that may run at once. */
export async function startNodeCluster(name: string, images: BuiltImages): Promise<NodeCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `servirt-${name}-`));
  const plane = await ControlPlane.start(dir, process.pid);
  let controllers: { stop(): Promise<void> } | undefined;
  let node: LocalNode | undefined;
  const stop = async () => {
    await node?.stop();
    await controllers?.stop();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    controllers = await startClusterControllers(plane, process.pid);
    node = await LocalNode.start({
      name,
      plane,
      imageArchives: [images.pause.archive, images.operator.archive, images.runner.archive],
      sandboxImage: images.pause.image,
      ownerPid: process.pid,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const kubeconfig = ['--kubeconfig', plane.kubeconfigPath];
  const kubectl = async (args: string[], input?: string) => {
    const child = run(await toolPath('kubectl'), [...kubeconfig, ...args], { maxBuffer: 16 * 1024 * 1024 });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  };
  let fetches = 0;
  return {
    plane,
    node,
    kubectl,
    async getFromPod(namespace, url, image, headers = {}) {
      const name = `get-${++fetches}`;
      await kubectl(['create', '-f', '-'], JSON.stringify(fetchPod(namespace, name, url, image, headers)));
      await until(
        async () =>
          ['Succeeded', 'Failed'].includes(
            await kubectl(['get', 'pod', name, '-n', namespace, '-o', 'jsonpath={.status.phase}']),
          ),
        120_000,
        `pod ${name} fetching ${url}`,
      );
      const logs = await kubectl(['logs', name, '-n', namespace]);
      await kubectl(['delete', 'pod', name, '-n', namespace, '--wait=false']);
      const newline = logs.indexOf('\n');
      return { status: Number(logs.slice(0, newline)), body: logs.slice(newline + 1) };
    },
    async helm(args) {
      return (await run(await toolPath('helm'), [...kubeconfig, ...args], { timeout: 600_000 })).stdout;
    },
    stop,
  };
}

function fetchPod(
  namespace: string,
  name: string,
  url: string,
  image: string,
  headers: Record<string, string>,
) {
  const script = [
    `require('http').get(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)} }, (response) => {`,
    "  let body = ''; response.on('data', (chunk) => (body += chunk));",
    "  response.on('end', () => console.log(response.statusCode + '\\n' + body));",
    "}).on('error', (error) => { console.log('0\\n' + error.message); });",
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'get',
          image,
          imagePullPolicy: 'Never',
          command: ['node', '-e', script],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

/** repository and tag of an image reference such as localhost/servirt:0.1.0-abc. */
export function splitImage(image: string): { repository: string; tag: string } {
  const colon = image.lastIndexOf(':');
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}
