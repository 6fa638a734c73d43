// Checks an object against a definition of KubeVirt's Swagger 2.0 spec itself, independently of the
// CRDs hack/codegen/kubevirt.ts derives from it: type (with Kubernetes' int-or-string and nullable),
// required, properties, enum, items, $ref and additionalProperties. As the API server does with a
// structural schema, a field the schema does not name is an error, except in free-form objects.
import { readFileSync } from 'node:fs';
import { FREE_FORM, SWAGGER_FILE, refName, type SwaggerSchema } from '../../../hack/codegen/kubevirt.js';
import { repoPath } from '../cluster.js';

export type SpecDefinitions = Readonly<Record<string, SwaggerSchema>>;

export interface SpecViolation {
  /** Where, as the API server writes it: spec.template.spec.domain.devices.interfaces[0].name. */
  path: string;
  message: string;
}

let definitions: SpecDefinitions | undefined;

/** The definitions of ../shared/kubevirt/swagger-v1.9.0.json, read once. */
export function kubevirtDefinitions(): SpecDefinitions {
  definitions ??= (
    JSON.parse(readFileSync(repoPath(SWAGGER_FILE), 'utf8')) as { definitions: SpecDefinitions }
  ).definitions;
  return definitions;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const isRecord = (value: unknown): value is Record<string, unknown> => jsonType(value) === 'object';

function allowedTypes(schema: SwaggerSchema): Set<string> | undefined {
  if (schema.type === undefined) return undefined;
  const types = new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (types.has('number')) types.add('integer');
  if (schema.format === 'int-or-string') types.add('integer');
  if (schema.nullable) types.add('null');
  return types;
}

const at = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function check(
  defs: SpecDefinitions,
  value: unknown,
  schema: SwaggerSchema,
  path: string,
  out: SpecViolation[],
): void {
  if (schema.$ref !== undefined) {
    const name = refName(schema.$ref);
    const target = defs[name];
    if (!target) out.push({ path, message: `unknown definition ${name}` });
    else if (FREE_FORM.has(name) && isRecord(value)) return;
    else check(defs, value, target, path, out);
    return;
  }
  const actual = jsonType(value);
  const types = allowedTypes(schema);
  if (types && !types.has(actual)) {
    out.push({ path, message: `expected ${[...types].join(' or ')}, got ${actual}` });
    return;
  }
  if (value === null) return;
  if (schema.enum && !schema.enum.includes(value)) {
    out.push({ path, message: `${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}` });
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => check(defs, item, schema.items ?? {}, `${path}[${i}]`, out));
    return;
  }
  if (!isRecord(value) || (schema.type === undefined && !schema.properties)) return;
  for (const name of schema.required ?? [])
    if (!(name in value)) out.push({ path: at(path, name), message: 'required' });
  for (const [key, item] of Object.entries(value)) {
    const property = schema.properties?.[key];
    if (property) check(defs, item, property, at(path, key), out);
    else if (typeof schema.additionalProperties === 'object')
      check(defs, item, schema.additionalProperties, at(path, key), out);
    else if (schema.additionalProperties !== true)
      out.push({ path: at(path, key), message: 'unknown field' });
  }
}

/** Every way `value` breaks the spec's definition `definitionName` (e.g. v1.VirtualMachine); [] when it fits. */
export function validateAgainstSpec(
  value: unknown,
  definitionName: string,
  defs: SpecDefinitions = kubevirtDefinitions(),
): SpecViolation[] {
  const out: SpecViolation[] = [];
  check(defs, value, { $ref: `#/definitions/${definitionName}` }, '', out);
  return out;
}
