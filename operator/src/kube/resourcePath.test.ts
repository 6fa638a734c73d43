import { objectKey, parseKey, resourcePath, type ResourceType } from './resourcePath.js';

const vhosts: ResourceType = {
  group: 'servirt.dev',
  version: 'v1alpha1',
  plural: 'virtualhosts',
  kind: 'VirtualHost',
  namespaced: true,
};
const secrets: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'secrets',
  kind: 'Secret',
  namespaced: true,
};
const nodes: ResourceType = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };

describe('resourcePath', () => {
  it.each([
    [vhosts, {}, '/apis/servirt.dev/v1alpha1/virtualhosts'],
    [vhosts, { namespace: 'ns' }, '/apis/servirt.dev/v1alpha1/namespaces/ns/virtualhosts'],
    [
      vhosts,
      { namespace: 'ns', name: 'h1', subresource: 'status' },
      '/apis/servirt.dev/v1alpha1/namespaces/ns/virtualhosts/h1/status',
    ],
    [
      vhosts,
      { namespace: 'ns', subresource: 'status' },
      '/apis/servirt.dev/v1alpha1/namespaces/ns/virtualhosts',
    ],
    [secrets, { namespace: 'a b', name: 'k' }, '/api/v1/namespaces/a%20b/secrets/k'],
    [nodes, { namespace: 'ignored', name: 'n1' }, '/api/v1/nodes/n1'],
  ])('%j %j -> %s', (type, ref, expected) => {
    expect(resourcePath(type, ref)).toBe(expected);
  });

  it('builds and parses keys', () => {
    expect(objectKey({ namespace: 'ns', name: 'a' })).toBe('ns/a');
    expect(objectKey({ name: 'a' })).toBe('a');
    expect(parseKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(parseKey('a')).toEqual({ name: 'a' });
  });
});
