// The rest of a control plane for a cluster with nodes: the full kube-controller-manager (every
// on-by-default controller: service accounts and their tokens, Jobs, Deployments, garbage
// collection, namespaces, endpoints, …) and kube-scheduler, on loopback beside the API server.
// A plane without nodes does without them (hack/cluster/garbageCollector.ts starts the one
// controller some tests need).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ControlPlane } from './controlPlane.js';
import { isAlive, sleep, startProcess, stopProcessGroup, type Started } from './processes.js';
import { toolPath } from './tools.js';

export async function startClusterControllers(
  plane: ControlPlane,
  ownerPid?: number,
): Promise<{ pids: number[]; stop(): Promise<void> }> {
  const dir = path.join(plane.dir, 'controllers');
  await mkdir(dir, { recursive: true });
  const kubeconfig = plane.kubeconfigPath;
  const pki = plane.credentials;
  const access = [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--v=1',
  ];
  const started: Started[] = [];
  started.push(
    startProcess(
      await toolPath('kube-controller-manager'),
      [
        ...access,
        '--controllers=*',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${path.join(path.dirname(pki.caCert), 'ca.key')}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        `--cert-dir=${dir}`,
      ],
      path.join(dir, 'kube-controller-manager.log'),
      ownerPid,
    ),
  );
  started.push(
    startProcess(
      await toolPath('kube-scheduler'),
      [...access, '--bind-address=127.0.0.1', '--secure-port=0'],
      path.join(dir, 'kube-scheduler.log'),
      ownerPid,
    ),
  );
  const stop = async () => {
    for (const process of started) await stopProcessGroup(process.pid);
  };
  await sleep(1000);
  const exited = started.find((process) => !isAlive(process.pid));
  if (exited) {
    await stop();
    throw new Error(`a cluster controller exited at start; see ${exited.logFile}`);
  }
  return { pids: started.map((process) => process.pid), stop };
}
