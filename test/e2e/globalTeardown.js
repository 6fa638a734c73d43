// jest globalTeardown for e2e: releases the test control plane and, when globalSetup started it,
// stops the local libvirtd (hack/libvirt/down.sh). A libvirtd that ran before the tests (npm run
// local) is shared on purpose and stays; `npm run local:down` stops it.
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { releaseTestCluster } = await tsImport('../integration/testCluster.ts', import.meta.url);
  await releaseTestCluster();
  if (globalThis.servirtStartedLibvirt) {
    const { stopGuestEnvironment } = await tsImport('./environment.ts', import.meta.url);
    await stopGuestEnvironment();
  }
}
