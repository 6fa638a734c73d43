// jest globalSetup for e2e: the test control plane (shared with the integration project when both
// run) plus a local libvirt host with the guest image.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { acquireTestCluster } = await tsImport('../integration/testCluster.ts', import.meta.url);
  const { prepareGuestEnvironment } = await tsImport('./environment.ts', import.meta.url);
  globalThis.servirtStartedLibvirt = (await prepareGuestEnvironment()).startedLibvirt;
  await acquireTestCluster(process.pid);
}
