// What booting a VirtualMachine's template takes, or why it cannot boot: the local image folder
// for the root disk's containerDisk image, memory and CPUs, and the user and network data of its
// cloudInitNoCloud volume, as virt-launcher puts them on the NoCloud seed: inline (userData, userDataBase64, networkData, networkDataBase64) or from the
// Secrets named by secretRef (key userdata or userData) and networkDataSecretRef (networkdata
// or networkData).
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import {
  cloudInitOf,
  cpuCount,
  memoryMiB,
  rootDiskImage,
  type CloudInitNoCloud,
  type VirtualMachine,
} from './kubevirtObjects.js';

export interface CloudInitData {
  userData: string;
  networkData?: string;
}

const fromBase64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

async function secretValue(
  client: KubeClient,
  namespace: string,
  name: string,
  keys: string[],
): Promise<string> {
  const secret = await client
    .request<{ data?: Record<string, string> }>({
      method: 'GET',
      path: resourcePath(SECRETS, { namespace, name }),
    })
    .catch((error: unknown) => {
      throw new Error(
        `cloud-init Secret ${namespace}/${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  for (const key of keys) {
    const value = secret.data?.[key];
    if (value !== undefined) return fromBase64(value);
  }
  throw new Error(`cloud-init Secret ${namespace}/${name} has none of the keys ${keys.join(', ')}`);
}

export async function cloudInitData(
  client: KubeClient,
  namespace: string,
  source: CloudInitNoCloud | undefined,
): Promise<CloudInitData> {
  if (!source) return { userData: '' };
  let userData = '';
  if (source.userData !== undefined) userData = source.userData;
  else if (source.userDataBase64 !== undefined) userData = fromBase64(source.userDataBase64);
  else if (source.secretRef?.name)
    userData = await secretValue(client, namespace, source.secretRef.name, ['userdata', 'userData']);
  let networkData: string | undefined;
  if (source.networkData !== undefined) networkData = source.networkData;
  else if (source.networkDataBase64 !== undefined) networkData = fromBase64(source.networkDataBase64);
  else if (source.networkDataSecretRef?.name)
    networkData = await secretValue(client, namespace, source.networkDataSecretRef.name, [
      'networkdata',
      'networkData',
    ]);
  return networkData === undefined ? { userData } : { userData, networkData };
}

export type BootPlanResult =
  | ({ ok: true; image: string; imageDir: string; memoryMiB: number; cpus: number } & CloudInitData)
  | { ok: false; printableStatus: string; reason: string; message: string };

/** `images`: containerDisk image reference → local guest image folder. */
export async function planBoot(
  client: KubeClient,
  vm: VirtualMachine,
  images: Record<string, string>,
): Promise<BootPlanResult> {
  const spec = vm.spec?.template?.spec ?? {};
  const root = rootDiskImage(spec);
  if ('error' in root)
    return {
      ok: false,
      printableStatus: 'ErrorUnschedulable',
      reason: 'UnsupportedVolume',
      message: root.error,
    };
  const imageDir = images[root.image];
  if (!imageDir) {
    const known = Object.keys(images).join(', ') || 'none';
    const message = `image ${root.image} is not available to the stand-in (known: ${known})`;
    return { ok: false, printableStatus: 'ErrImagePull', reason: 'ErrImagePull', message };
  }
  try {
    const memory = memoryMiB(spec);
    const seed = await cloudInitData(client, vm.metadata.namespace, cloudInitOf(spec));
    return { ok: true, image: root.image, imageDir, memoryMiB: memory, cpus: cpuCount(spec), ...seed };
  } catch (error) {
    // A missing Secret: KubeVirt's launcher pod would wait for it too.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, printableStatus: 'Starting', reason: 'FailedCreate', message };
  }
}
