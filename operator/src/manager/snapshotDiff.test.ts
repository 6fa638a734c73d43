import { diffSnapshots, type KubeObject } from './snapshotDiff.js';

const obj = (name: string, resourceVersion: string, uid = `uid-${name}`): KubeObject => ({
  metadata: { name, namespace: 'ns', uid, resourceVersion },
});
const snapshot = (...objects: KubeObject[]) => new Map(objects.map((o) => [`ns/${o.metadata.name}`, o]));
const summary = (before: Map<string, KubeObject>, after: Map<string, KubeObject>) =>
  diffSnapshots(before, after).map(
    (c) => `${c.type} ${c.object.metadata.name}@${c.object.metadata.resourceVersion}`,
  );

describe('diffSnapshots', () => {
  it('emits nothing when nothing changed (no phantom events on relist)', () => {
    expect(summary(snapshot(obj('a', '1'), obj('b', '2')), snapshot(obj('a', '1'), obj('b', '2')))).toEqual(
      [],
    );
  });

  it('finds additions, modifications and deletions', () => {
    const before = snapshot(obj('a', '1'), obj('b', '2'), obj('c', '3'));
    const after = snapshot(obj('a', '1'), obj('b', '7'), obj('d', '8'));
    expect(summary(before, after)).toEqual(['DELETED c@3', 'MODIFIED b@7', 'ADDED d@8']);
  });

  it('treats a recreated object (same name, new uid) as a delete and an add', () => {
    expect(summary(snapshot(obj('a', '1', 'u1')), snapshot(obj('a', '9', 'u2')))).toEqual([
      'DELETED a@1',
      'ADDED a@9',
    ]);
  });

  it('on the first list, everything is added', () => {
    expect(summary(new Map(), snapshot(obj('a', '1')))).toEqual(['ADDED a@1']);
  });
});
