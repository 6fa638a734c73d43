import { finalizerPatch, hasFinalizer } from './finalizers.js';

const object = (finalizers?: string[]) => ({
  metadata: { name: 'a', namespace: 'ns', resourceVersion: '42', ...(finalizers ? { finalizers } : {}) },
});

describe('finalizerPatch', () => {
  it('guards the first finalizer with the observed resourceVersion', () => {
    expect(finalizerPatch(object(), ['servirt.dev/guest'])).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'add', path: '/metadata/finalizers', value: ['servirt.dev/guest'] },
    ]);
  });

  it('guards a change of an existing list with a test of that list', () => {
    expect(finalizerPatch(object(['other.io/x', 'servirt.dev/guest']), ['other.io/x'])).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['other.io/x', 'servirt.dev/guest'] },
      { op: 'replace', path: '/metadata/finalizers', value: ['other.io/x'] },
    ]);
  });

  it('tells whether a finalizer is present', () => {
    expect(hasFinalizer(object(['servirt.dev/guest']), 'servirt.dev/guest')).toBe(true);
    expect(hasFinalizer(object(), 'servirt.dev/guest')).toBe(false);
  });
});
