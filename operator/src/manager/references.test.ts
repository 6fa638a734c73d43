import { controllingOwner, ReferenceIndex } from './references.js';

describe('ReferenceIndex', () => {
  it('maps a referenced key back to every primary that references it', () => {
    const index = new ReferenceIndex();
    index.set('ns/host-a', ['ns/key-1']);
    index.set('ns/host-b', ['ns/key-1', 'ns/key-2']);
    expect(index.referrers('ns/key-1').sort()).toEqual(['ns/host-a', 'ns/host-b']);
    expect(index.referrers('ns/key-2')).toEqual(['ns/host-b']);
    expect(index.referrers('ns/other')).toEqual([]);
  });

  it('forgets old references when a primary changes them, and all of them when it is deleted', () => {
    const index = new ReferenceIndex();
    index.set('ns/host-a', ['ns/key-1']);
    index.set('ns/host-a', ['ns/key-2']);
    expect(index.referrers('ns/key-1')).toEqual([]);
    expect(index.referrers('ns/key-2')).toEqual(['ns/host-a']);
    index.delete('ns/host-a');
    expect(index.referrers('ns/key-2')).toEqual([]);
  });
});

describe('controllingOwner', () => {
  const owned = (ownerReferences: object[]) => ({
    metadata: { name: 'vm', namespace: 'ns', ownerReferences },
  });

  it('maps to the controlling owner of the kind', () => {
    const map = controllingOwner('GuestDomain');
    expect(
      map(
        owned([
          { apiVersion: 'servirt.dev/v1alpha1', kind: 'GuestDomain', name: 'ns1', controller: true },
        ]) as never,
      ),
    ).toEqual(['ns/ns1']);
  });

  it.each([
    ['another kind', { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', controller: true }],
    ['a non-controlling owner', { apiVersion: 'servirt.dev/v1alpha1', kind: 'GuestDomain', name: 'ns1' }],
  ])('ignores %s', (_what, reference) => {
    expect(controllingOwner('GuestDomain')(owned([reference]) as never)).toEqual([]);
  });
});
