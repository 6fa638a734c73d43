// Starts one real etcd + kube-apiserver on loopback for the whole integration run and
// installs the CRDs; globalSetup.js calls this and hands the kubeconfig to the workers.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';

export async function startTestCluster(ownerPid: number): Promise<ControlPlane> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-test-cluster-'));
  const plane = await ControlPlane.start(dir, ownerPid);
  await installCrds(plane.kubeconfigPath);
  return plane;
}

export async function stopTestCluster(plane: ControlPlane): Promise<void> {
  await plane.stop();
  if (!process.env.SERVIRT_KEEP_TEST_CLUSTER) await rm(plane.dir, { recursive: true, force: true });
}
