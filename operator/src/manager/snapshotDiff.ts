/** The part of any Kubernetes object the runtime reads. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    finalizers?: string[];
    labels?: Record<string, string>;
    ownerReferences?: { uid?: string; kind?: string; name?: string; controller?: boolean }[];
    /** A string on the wire (client-node's types say Date). */
    deletionTimestamp?: unknown;
    managedFields?: unknown;
  };
}

export interface Change<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  previous?: T;
}

/**
 * What changed between the cache and a fresh list: objects added, modified (another
 * resourceVersion, or another uid under the same name) or deleted. Unchanged objects yield nothing.
 */
export function diffSnapshots<T extends KubeObject>(
  before: Map<string, T>,
  after: Map<string, T>,
): Change<T>[] {
  const changes: Change<T>[] = [];
  for (const [key, previous] of before) {
    const current = after.get(key);
    if (!current) changes.push({ type: 'DELETED', object: previous, previous });
    else if (current.metadata.uid !== previous.metadata.uid) {
      changes.push({ type: 'DELETED', object: previous, previous });
      changes.push({ type: 'ADDED', object: current });
    }
  }
  for (const [key, current] of after) {
    const previous = before.get(key);
    if (!previous) changes.push({ type: 'ADDED', object: current });
    else if (
      previous.metadata.uid === current.metadata.uid &&
      previous.metadata.resourceVersion !== current.metadata.resourceVersion
    ) {
      changes.push({ type: 'MODIFIED', object: current, previous });
    }
  }
  return changes;
}
