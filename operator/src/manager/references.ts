import type { KubeObject } from './snapshotDiff.js';

/**
 * Which objects refer to which: primary key -> keys of the objects it references, and
 * the reverse, so a change to a referenced object (a Secret, a GuestDomain) maps back
 * to the keys of the objects that use it.
 */
export class ReferenceIndex {
  private readonly forward = new Map<string, Set<string>>();
  private readonly reverse = new Map<string, Set<string>>();

  set(primary: string, referenced: Iterable<string>): void {
    this.delete(primary);
    const targets = new Set(referenced);
    if (targets.size === 0) return;
    this.forward.set(primary, targets);
    for (const target of targets) {
      let referrers = this.reverse.get(target);
      if (!referrers) this.reverse.set(target, (referrers = new Set()));
      referrers.add(primary);
    }
  }

  delete(primary: string): void {
    for (const target of this.forward.get(primary) ?? []) {
      const referrers = this.reverse.get(target);
      referrers?.delete(primary);
      if (referrers?.size === 0) this.reverse.delete(target);
    }
    this.forward.delete(primary);
  }

  referrers(target: string): string[] {
    return [...(this.reverse.get(target) ?? [])];
  }
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  controller?: boolean;
}

/** Maps an owned object to the key of its controlling owner of the given kind (same namespace). */
export function controllingOwner(kind: string) {
  return (object: KubeObject & { metadata: { ownerReferences?: OwnerReference[] } }): string[] =>
    (object.metadata.ownerReferences ?? [])
      .filter((owner) => owner.kind === kind && owner.controller === true)
      .map((owner) => `${object.metadata.namespace}/${owner.name}`);
}
