import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { releaseTestCluster } = await tsImport('./testCluster.ts', import.meta.url);
  await releaseTestCluster();
}
