// A cluster with a real node for e2e tests: the control plane, the full controller manager and
// scheduler, and a LocalNode (containerd + kubelet + kube-proxy) with the project's images loaded.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startClusterControllers } from '../../hack/cluster/clusterControllers.js';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { LocalNode } from '../../hack/cluster/node.js';
import { toolPath } from '../../hack/cluster/tools.js';
import type { BuiltImages } from '../../hack/image/images.js';

const run = promisify(execFile);

export interface NodeCluster {
  plane: ControlPlane;
  node: LocalNode;
  kubectl(args: string[], input?: string): Promise<string>;
  helm(args: string[]): Promise<string>;
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
  return {
    plane,
    node,
    async kubectl(args, input) {
      const child = run(await toolPath('kubectl'), [...kubeconfig, ...args], { maxBuffer: 16 * 1024 * 1024 });
      if (input !== undefined) child.child.stdin?.end(input);
      return (await child).stdout;
    },
    async helm(args) {
      return (await run(await toolPath('helm'), [...kubeconfig, ...args], { timeout: 600_000 })).stdout;
    },
    stop,
  };
}

/** repository and tag of an image reference such as localhost/servirt:0.1.0-abc. */
export function splitImage(image: string): { repository: string; tag: string } {
  const colon = image.lastIndexOf(':');
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}
