import type { KubeClient } from './client.js';
import { JSON_PATCH } from './objects.js';
import { resourcePath, type ResourceType } from './resourcePath.js';
import type { KubeObject } from '../manager/snapshotDiff.js';

type Operation = { op: 'test' | 'add' | 'replace'; path: string; value: unknown };

/**
 * The JSON patch that sets the finalizer list to `wanted`, guarded by a test of what was
 * observed, so a concurrent change makes the patch fail instead of being overwritten.
 */
export function finalizerPatch(object: KubeObject, wanted: string[]): Operation[] {
  const current = object.metadata.finalizers;
  if (current === undefined) {
    return [
      { op: 'test', path: '/metadata/resourceVersion', value: object.metadata.resourceVersion },
      { op: 'add', path: '/metadata/finalizers', value: wanted },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: current },
    { op: 'replace', path: '/metadata/finalizers', value: wanted },
  ];
}

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata.finalizers ?? []).includes(finalizer);
}

async function patchFinalizers(client: KubeClient, type: ResourceType, object: KubeObject, wanted: string[]) {
  return client.request<KubeObject>({
    method: 'PATCH',
    path: resourcePath(type, { namespace: object.metadata.namespace, name: object.metadata.name }),
    body: finalizerPatch(object, wanted),
    contentType: JSON_PATCH,
  });
}

/** Adds finalizer unless present; no request when it is there already. */
export async function addFinalizer(
  client: KubeClient,
  type: ResourceType,
  object: KubeObject,
  finalizer: string,
) {
  if (hasFinalizer(object, finalizer)) return object;
  const current = object.metadata.finalizers ?? [];
  return patchFinalizers(client, type, object, [...current, finalizer]);
}

/** Removes finalizer if present; no request when it is gone already. */
export async function removeFinalizer(
  client: KubeClient,
  type: ResourceType,
  object: KubeObject,
  finalizer: string,
) {
  if (!hasFinalizer(object, finalizer)) return object;
  const current = object.metadata.finalizers ?? [];
  return patchFinalizers(
    client,
    type,
    object,
    current.filter((name) => name !== finalizer),
  );
}
