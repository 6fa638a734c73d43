// Kubernetes' garbage collector (kube-controller-manager with only that controller) against a
// local control plane: objects whose owners are deleted go, as in any real cluster. Opt-in: tests
// that check owner references start it; the rest run without it.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, sleep, startProcess, stopProcessGroup } from './processes.js';
import { toolPath } from './tools.js';

export async function startGarbageCollector(
  kubeconfigPath: string,
  dir: string,
): Promise<{ stop(): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  const started = startProcess(
    await toolPath('kube-controller-manager'),
    [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--controllers=garbagecollector',
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      `--cert-dir=${dir}`,
      '--v=1',
    ],
    path.join(dir, 'kube-controller-manager.log'),
    process.pid,
  );
  await sleep(1000);
  if (!isAlive(started.pid)) throw new Error(`kube-controller-manager exited; see ${started.logFile}`);
  return { stop: () => stopProcessGroup(started.pid) };
}
