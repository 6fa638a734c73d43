import {
  duplicates,
  generatedCrdCopy,
  kustomization,
  parseCrd,
  separateDeclarations,
  singular,
  staleFiles,
  titles,
  toTsSchema,
  typeName,
  wrap,
  type KubeSchema,
} from './render.js';

describe('typeName', () => {
  it.each([
    ['DnsZone', ['spec'], 'DnsZoneSpec'],
    ['DnsZone', ['status'], 'DnsZoneStatus'],
    ['DnsZone', ['spec', 'soa'], 'DnsZoneSoa'],
    ['DnsZone', ['spec', 'records', '[]'], 'DnsZoneRecord'],
    ['DnsZone', ['spec', 'records', '[]', 'mx'], 'DnsZoneRecordMx'],
    ['DnsZone', ['spec', 'secondaries', '[]', 'guestRef'], 'DnsZoneSecondaryGuestRef'],
    ['DnsZone', ['spec', 'recordsFrom', 'guestDomains', '[]'], 'DnsZoneRecordsFromGuestDomain'],
    ['DnsZone', ['status', 'serials', '[]'], 'DnsZoneStatusSerial'],
    ['GuestDomain', ['status', 'addresses', '[]'], 'GuestDomainStatusAddress'],
    ['GuestDomain', ['spec', 'network', 'hostForwards', '[]'], 'GuestDomainNetworkHostForward'],
    ['Benchmark', ['status', 'runs', '[]', 'results', '[]'], 'BenchmarkStatusRunResult'],
    ['WebSite', ['spec', 'content', 'inline', '{}'], 'WebSiteContentInlineValue'],
  ])('%s %j -> %s', (kind, path, want) => {
    expect(typeName(kind, path)).toBe(want);
  });

  it('rejects paths outside spec and status', () => {
    expect(() => typeName('DnsZone', ['metadata'])).toThrow(/spec or status/);
  });
});

describe('singular', () => {
  it.each([
    ['records', 'record'],
    ['secondaries', 'secondary'],
    ['addresses', 'address'],
    ['hostForwards', 'hostForward'],
    ['guestDomains', 'guestDomain'],
    ['status', 'status'],
    ['caches', 'cache'],
    ['boxes', 'box'],
    ['data', 'data'],
  ])('%s -> %s', (plural, want) => {
    expect(singular(plural)).toBe(want);
  });
});

describe('wrap', () => {
  it.each([
    ['short text', 20, 'short text'],
    ['one two three four', 9, 'one two\nthree\nfour'],
    ['  spaces   collapse  ', 80, 'spaces collapse'],
    ['para one\npara two', 80, 'para one\npara two'],
    ['averyveryverylongword x', 5, 'averyveryverylongword\nx'],
  ])('%j at %d', (text, width, want) => {
    expect(wrap(text, width)).toBe(want);
  });
});

describe('separateDeclarations', () => {
  it.each([
    [
      'export interface A {\n  a: string;\n}\nexport interface B {}\n',
      'export interface A {\n  a: string;\n}\n\nexport interface B {}\n',
    ],
    [
      'export interface A {\n  b: {\n    c: string;\n  }\n}\n/**\n * B\n */\n',
      'export interface A {\n  b: {\n    c: string;\n  }\n}\n\n/**\n * B\n */\n',
    ],
    ['}\n', '}\n'],
  ])('%j', (code, want) => {
    expect(separateDeclarations(code)).toBe(want);
  });
});

describe('toTsSchema', () => {
  const condition: KubeSchema = {
    type: 'object',
    properties: Object.fromEntries(
      ['type', 'status', 'reason', 'message', 'lastTransitionTime', 'observedGeneration'].map((k) => [
        k,
        { type: 'string' },
      ]),
    ),
  };

  it('titles nested objects, closes them and drops Kubernetes extensions', () => {
    const schema: KubeSchema = {
      type: 'object',
      description: 'The spec.',
      required: ['records'],
      'x-kubernetes-validations': [{ rule: 'true' }],
      properties: {
        records: {
          type: 'array',
          maxItems: 10,
          'x-kubernetes-list-type': 'atomic',
          items: {
            type: 'object',
            properties: { name: { type: 'string', maxLength: 253, pattern: '^.*$' } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        port: { 'x-kubernetes-int-or-string': true },
      },
    };
    expect(toTsSchema('DnsZone', schema, ['spec'])).toEqual({
      title: 'DnsZoneSpec',
      type: 'object',
      description: 'The spec.',
      required: ['records'],
      additionalProperties: false,
      properties: {
        records: {
          type: 'array',
          items: {
            title: 'DnsZoneRecord',
            type: 'object',
            additionalProperties: false,
            properties: { name: { type: 'string' } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        port: { tsType: 'number | string' },
      },
    });
  });

  it('maps conditions to the shared Condition type', () => {
    const status: KubeSchema = {
      type: 'object',
      properties: { conditions: { type: 'array', description: 'Conditions.', items: condition } },
    };
    expect(toTsSchema('WebSite', status, ['status']).properties?.conditions).toEqual({
      type: 'array',
      description: 'Conditions.',
      items: { tsType: 'Condition' },
    });
  });
});

describe('titles and duplicates', () => {
  it('lists titles depth first and finds the ones used twice', () => {
    const t = titles({
      title: 'A',
      properties: {
        b: { title: 'AB', items: { title: 'AC' } },
        c: { additionalProperties: { title: 'AB' } },
      },
    });
    expect(t).toEqual(['A', 'AB', 'AC', 'AB']);
    expect(duplicates(t)).toEqual(['AB']);
    expect(duplicates(['A', 'B'])).toEqual([]);
  });
});

describe('parseCrd', () => {
  const crd = (file = 'servirt.dev_things.yaml', versions = 'one') => {
    const version = `  - name: v1alpha1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n`;
    return parseCrd(
      file,
      [
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'spec:',
        '  group: servirt.dev',
        '  names: {kind: Thing, plural: things, shortNames: [th]}',
        '  versions:',
        versions === 'one' ? version : version + version.replace('v1alpha1', 'v1beta1'),
      ].join('\n'),
    );
  };

  it('reads names and the schema', () => {
    expect(crd()).toEqual({
      file: 'servirt.dev_things.yaml',
      group: 'servirt.dev',
      version: 'v1alpha1',
      kind: 'Thing',
      listKind: 'ThingList',
      plural: 'things',
      singular: 'thing',
      shortNames: ['th'],
      namespaced: true,
      schema: { type: 'object' },
    });
  });

  it.each([
    ['servirt.dev_thing.yaml', 'one', /should be named servirt.dev_things.yaml/],
    ['servirt.dev_things.yaml', 'two', /exactly one version/],
  ])('rejects %s with %s version(s)', (file, versions, error) => {
    expect(() => crd(file, versions)).toThrow(error);
  });
});

describe('generated files', () => {
  it('prefixes CRD copies with a header and keeps the bytes', () => {
    expect(generatedCrdCopy('a.yaml', 'kind: X\n')).toBe(
      '# Generated by hack/codegen/generate.ts from crds/a.yaml. DO NOT EDIT.\nkind: X\n',
    );
  });

  it('lists the copies in the kustomization, sorted', () => {
    expect(kustomization(['b.yaml', 'a.yaml'])).toContain('resources:\n  - bases/a.yaml\n  - bases/b.yaml\n');
  });

  it.each([
    ['nothing changed', { a: 'x' }, { a: 'x' }, []],
    ['content differs', { a: 'x' }, { a: 'y' }, ['a']],
    ['file missing', { a: 'x', b: 'y' }, { a: 'x', b: undefined }, ['b']],
    ['orphan on disk', { a: 'x' }, { a: 'x', z: 'old' }, ['z']],
  ])('staleFiles: %s', (_name, wanted, onDisk, want) => {
    expect(staleFiles(new Map(Object.entries(wanted)), new Map(Object.entries(onDisk)))).toEqual(want);
  });
});
