import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let toolsDir: Promise<string> | undefined;

/** The folder holding kube-apiserver, etcd, kubectl and helm, built (once, cached) from the Go module proxy. */
export function goToolsDir(): Promise<string> {
  toolsDir ??= run('bash', [path.join(repoDir, 'hack/build-go-tools.sh')], {
    maxBuffer: 16 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim().split('\n').at(-1) ?? '');
  return toolsDir;
}

export async function toolPath(
  name:
    | 'kube-apiserver'
    | 'kube-controller-manager'
    | 'kube-scheduler'
    | 'kubelet'
    | 'kube-proxy'
    | 'etcd'
    | 'kubectl'
    | 'helm',
): Promise<string> {
  return path.join(await goToolsDir(), name);
}
