// Starts one real etcd + kube-apiserver on loopback for the whole integration run and
// installs the CRDs; the integration and e2e globalSetup.js call acquireTestCluster.
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

// jest runs every selected project's globalSetup in one process before any test, and every
// globalTeardown after: the integration and e2e projects share one control plane, stopped by the
// last teardown.
const shared = globalThis as { servirtTestCluster?: Promise<ControlPlane>; servirtTestClusterUsers?: number };

/** The run's control plane, started by the first caller; KUBECONFIG points at it. */
export async function acquireTestCluster(ownerPid: number): Promise<ControlPlane> {
  shared.servirtTestClusterUsers = (shared.servirtTestClusterUsers ?? 0) + 1;
  shared.servirtTestCluster ??= startTestCluster(ownerPid);
  const plane = await shared.servirtTestCluster;
  process.env.KUBECONFIG = plane.kubeconfigPath;
  return plane;
}

/** Stops the run's control plane once every project that acquired it has released it. */
export async function releaseTestCluster(): Promise<void> {
  const users = (shared.servirtTestClusterUsers ?? 0) - 1;
  shared.servirtTestClusterUsers = Math.max(users, 0);
  const plane = shared.servirtTestCluster;
  if (users > 0 || !plane) return;
  shared.servirtTestCluster = undefined;
  await stopTestCluster(await plane);
}
