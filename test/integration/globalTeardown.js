import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const plane = globalThis.servirtTestCluster;
  if (!plane) return;
  const { stopTestCluster } = await tsImport('./testCluster.ts', import.meta.url);
  await stopTestCluster(plane);
}
