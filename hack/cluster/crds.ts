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

/**
 * Applies test/fixtures/kubevirt-crds/*.yaml (KubeVirt's VirtualMachine and VirtualMachineInstance CRDs, derived from
 * its API spec by hack/codegen/kubevirt.ts) with server-side apply, taking over fields another manager
 * set (such as a stand-in CRD of the same name), and waits until every CRD is Established.
 */
export async function installKubeVirtCrds(kubeconfig: string): Promise<void> {
  const kubectl = await toolPath('kubectl');
  const options = { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 16 * 1024 * 1024 };
  const dir = path.join(repoDir, 'test/fixtures/kubevirt-crds');
  const apply = ['apply', '--server-side', '--force-conflicts', '--field-manager=servirt-dev', '-f', dir];
  await run(kubectl, apply, options);
  await run(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', '-f', dir], options);
}
