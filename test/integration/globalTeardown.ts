import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const plane = globalThis.servirtControlPlane;
  if (!plane) return;
  await plane.stop();
  if (!process.env.SERVIRT_KEEP_TEST_CLUSTER) await rm(plane.dir, { recursive: true, force: true });
}
