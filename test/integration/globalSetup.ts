// Starts one real etcd + kube-apiserver on loopback for the whole integration run,
// installs the CRDs, and hands the kubeconfig to the test workers through the environment.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';

declare global {
  var servirtControlPlane: ControlPlane | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-test-cluster-'));
  const plane = await ControlPlane.start(dir, process.pid);
  globalThis.servirtControlPlane = plane;
  await installCrds(plane.kubeconfigPath);
  process.env.KUBECONFIG = plane.kubeconfigPath;
  process.env.SERVIRT_TEST_CLUSTER_DIR = dir;
}
