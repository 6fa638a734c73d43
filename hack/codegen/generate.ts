// Generates, from crds/*.yaml (the source of truth for the API):
//   operator/src/api/types.generated.ts  TypeScript types of every kind
//   charts/servirt/crds/*.yaml           copies of the CRDs for the Helm chart
//   config/crd/bases/*.yaml              copies of the CRDs for kustomize
//   config/crd/kustomization.yaml        listing them
// Usage: tsx hack/codegen/generate.ts [--check]
// With --check it writes nothing and exits 1, naming every stale file, if any output differs.
// This file does the IO; render.ts holds the logic.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { prettyIn, syncGenerated } from './outputs.js';
import {
  assembleTypes,
  duplicates,
  generatedCrdCopy,
  kustomization,
  parseCrd,
  separateDeclarations,
  sharedConditionSchema,
  titles,
  toTsSchema,
  type CrdInfo,
  type TsSchema,
} from './render.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = 'operator/src/api/types.generated.ts';
const COPY_DIRS = ['charts/servirt/crds', 'config/crd/bases'];
const KUSTOMIZATION = 'config/crd/kustomization.yaml';

async function compileSchema(schema: TsSchema, name: string): Promise<string> {
  return compile(schema as JSONSchema, name, {
    bannerComment: '',
    format: false,
    additionalProperties: false,
    declareExternallyReferenced: true,
    ignoreMinAndMaxItems: true,
    unknownAny: true,
    strictIndexSignatures: false,
  });
}

const pretty = (text: string, file: string) => prettyIn(repo, text, file);

/** Every generated file, repository-relative path to content. */
async function render(): Promise<Map<string, string>> {
  const files = (await readdir(path.join(repo, 'crds'))).filter((f) => f.endsWith('.yaml')).sort();
  const sources = await Promise.all(
    files.map(async (f) => [f, await readFile(path.join(repo, 'crds', f), 'utf8')] as const),
  );
  const crds: CrdInfo[] = sources.map(([f, text]) => parseCrd(f, text));

  const kinds = new Map<string, string>();
  const allTitles: string[] = [];
  for (const crd of crds) {
    const props = crd.schema.properties ?? {};
    let out = '';
    for (const part of ['spec', 'status'] as const) {
      const schema = props[part];
      if (!schema) throw new Error(`${crd.file}: no ${part} in the schema`);
      const ts = toTsSchema(crd.kind, schema, [part]);
      allTitles.push(...titles(ts));
      out += await compileSchema(ts, `${crd.kind}${part === 'spec' ? 'Spec' : 'Status'}`);
    }
    kinds.set(crd.kind, out);
  }
  const clashes = duplicates([...allTitles, 'Condition', ...crds.flatMap((c) => [c.kind, c.listKind])]);
  if (clashes.length > 0)
    throw new Error(`two schema paths map to one TypeScript name: ${clashes.join(', ')}`);
  const condition = await compileSchema(sharedConditionSchema(crds), 'Condition');

  const out = new Map<string, string>();
  const types = await pretty(assembleTypes(crds, { condition, kinds }), TYPES);
  out.set(TYPES, await pretty(separateDeclarations(types), TYPES));
  for (const dir of COPY_DIRS)
    for (const [f, text] of sources) out.set(`${dir}/${f}`, generatedCrdCopy(f, text));
  out.set(KUSTOMIZATION, await pretty(kustomization(files), KUSTOMIZATION));
  return out;
}

async function main(): Promise<number> {
  return syncGenerated({
    repo,
    wanted: await render(),
    generatedDirs: COPY_DIRS,
    check: process.argv.includes('--check'),
    what: 'Generated files',
  });
}

process.exitCode = await main();
