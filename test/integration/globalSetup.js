// jest globalSetup: loads TypeScript through tsx, since jest runs this file outside its transform.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { acquireTestCluster } = await tsImport('./testCluster.ts', import.meta.url);
  await acquireTestCluster(process.pid);
}
