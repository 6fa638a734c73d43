import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoDir, toolPath } from './tools.js';

const run = promisify(execFile);

/** Applies crds/*.yaml with server-side apply and waits until every CRD is Established. */
export async function installCrds(kubeconfig: string): Promise<void> {
  const kubectl = await toolPath('kubectl');
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(
    kubectl,
    ['apply', '--server-side', '--field-manager=servirt-dev', '-f', path.join(repoDir, 'crds')],
    { env },
  );
  await run(
    kubectl,
    ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoDir, 'crds')],
    { env },
  );
}
