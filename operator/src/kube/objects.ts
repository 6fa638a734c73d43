import type { KubeClient } from './client.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resourcePath.js';
import type { KubeObject } from '../manager/snapshotDiff.js';

export const APPLY_PATCH = 'application/apply-patch+yaml';
export const JSON_PATCH = 'application/json-patch+json';

export interface Named {
  namespace?: string;
  name?: string;
}

/**
 * Server-side apply of the fields this controller owns (field manager = controller name);
 * fields it applied before and leaves out now are removed by the API server.
 */
export function apply<T>(
  client: KubeClient,
  type: ResourceType,
  fieldManager: string,
  object: KubeObject,
): Promise<T> {
  return client.request<T>({
    method: 'PATCH',
    path: resourcePath(type, { namespace: object.metadata.namespace, name: object.metadata.name }),
    query: { fieldManager, force: true },
    body: { ...object, apiVersion: apiVersionOf(type), kind: type.kind },
    contentType: APPLY_PATCH,
  });
}

/** Applies status through the /status subresource, as its own field manager. */
export function applyStatus<T>(
  client: KubeClient,
  type: ResourceType,
  fieldManager: string,
  meta: Named,
  status: unknown,
): Promise<T> {
  return client.request<T>({
    method: 'PATCH',
    path: resourcePath(type, { namespace: meta.namespace, name: meta.name, subresource: 'status' }),
    query: { fieldManager, force: true },
    body: {
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: { name: meta.name, namespace: meta.namespace },
      status,
    },
    contentType: APPLY_PATCH,
  });
}

/** Status compared as data: key order and undefined members do not count as a change. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
          )
        : v,
    ) ?? 'undefined'
  );
}
