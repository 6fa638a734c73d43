// The spec validator itself, against a small table of definitions and against KubeVirt's spec.
import { kubevirtDefinitions, validateAgainstSpec, type SpecDefinitions } from './specValidation.js';

const defs: SpecDefinitions = {
  Thing: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string' },
      count: { type: 'integer', format: 'int32' },
      ratio: { type: 'number' },
      mode: { type: 'string', enum: ['On', 'Off'] },
      port: { type: 'string', format: 'int-or-string' },
      when: { type: ['string', 'null'] },
      tags: { type: 'array', items: { type: 'string' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      child: { $ref: '#/definitions/Child' },
      children: { type: 'array', items: { $ref: '#/definitions/Child' } },
      marker: { $ref: '#/definitions/Marker' },
      raw: { $ref: '#/definitions/k8s.io.apimachinery.pkg.runtime.RawExtension' },
      dangling: { $ref: '#/definitions/Missing' },
    },
  },
  Child: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
  Marker: { type: 'object' },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
};

describe('validateAgainstSpec', () => {
  it('accepts what fits, with int-or-string, nullable, maps and free-form objects', () => {
    const thing = {
      name: 'a',
      count: 3,
      ratio: 2,
      mode: 'On',
      port: 8080,
      when: null,
      tags: ['x'],
      labels: { a: 'b' },
      child: { id: '1' },
      children: [{ id: '2' }],
      marker: {},
      raw: { anything: [1, { goes: true }] },
    };
    expect(validateAgainstSpec(thing, 'Thing', defs)).toEqual([]);
    expect(validateAgainstSpec({ ...thing, port: 'http' }, 'Thing', defs)).toEqual([]);
  });

  it('reports every violation with its path', () => {
    const thing = {
      count: 1.5,
      ratio: 'x',
      mode: 'Maybe',
      tags: ['x', 2],
      labels: { a: 1 },
      child: {},
      children: [{ id: '1' }, { id: 2, extra: true }],
      marker: { x: 1 },
      when: 5,
      dangling: {},
      unknown: true,
    };
    expect(validateAgainstSpec(thing, 'Thing', defs)).toEqual([
      { path: 'name', message: 'required' },
      { path: 'count', message: 'expected integer, got number' },
      { path: 'ratio', message: 'expected number or integer, got string' },
      { path: 'mode', message: '"Maybe" is not one of ["On","Off"]' },
      { path: 'tags[1]', message: 'expected string, got integer' },
      { path: 'labels.a', message: 'expected string, got integer' },
      { path: 'child.id', message: 'required' },
      { path: 'children[1].id', message: 'expected string, got integer' },
      { path: 'children[1].extra', message: 'unknown field' },
      { path: 'marker.x', message: 'unknown field' },
      { path: 'when', message: 'expected string or null, got integer' },
      { path: 'dangling', message: 'unknown definition Missing' },
      { path: 'unknown', message: 'unknown field' },
    ]);
  });

  it('rejects null where the spec does not allow it, and a wrong root type', () => {
    expect(validateAgainstSpec({ name: null }, 'Thing', defs)).toEqual([
      { path: 'name', message: 'expected string, got null' },
    ]);
    expect(validateAgainstSpec([], 'Thing', defs)).toEqual([
      { path: '', message: 'expected object, got array' },
    ]);
  });

  it("reads KubeVirt's spec", () => {
    const spec = kubevirtDefinitions();
    expect(spec['v1.VirtualMachine']?.required).toEqual(['spec']);
    expect(validateAgainstSpec({ name: 'default', masquerade: {} }, 'v1.Interface')).toEqual([]);
    expect(validateAgainstSpec({ masquerade: {} }, 'v1.Interface')).toEqual([
      { path: 'name', message: 'required' },
    ]);
    // resource.Quantity is a string or a number in the spec.
    expect(validateAgainstSpec({ guest: '1Gi' }, 'v1.Memory')).toEqual([]);
    expect(validateAgainstSpec({ guest: 1073741824 }, 'v1.Memory')).toEqual([]);
    expect(validateAgainstSpec({ guest: true }, 'v1.Memory')).toEqual([
      { path: 'guest', message: 'expected string or integer or number, got boolean' },
    ]);
  });
});
