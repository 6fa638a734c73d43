// jest globalSetup for e2e: the test control plane plus a local libvirt host with the guest image.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestCluster } = await tsImport('../integration/testCluster.ts', import.meta.url);
  const { prepareGuestEnvironment } = await tsImport('./environment.ts', import.meta.url);
  globalThis.servirtStartedLibvirt = (await prepareGuestEnvironment()).startedLibvirt;
  const plane = await startTestCluster(process.pid);
  globalThis.servirtTestCluster = plane;
  process.env.KUBECONFIG = plane.kubeconfigPath;
}
