// jest globalSetup: loads TypeScript through tsx, since jest runs this file outside its transform.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestCluster } = await tsImport('./testCluster.ts', import.meta.url);
  const plane = await startTestCluster(process.pid);
  globalThis.servirtTestCluster = plane;
  process.env.KUBECONFIG = plane.kubeconfigPath;
}
