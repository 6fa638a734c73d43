// Generates, from crds/*.yaml (the source of truth for the API):
//   operator/src/api/types.generated.ts  TypeScript types of every kind
//   charts/servirt/crds/*.yaml           copies of the CRDs for the Helm chart
//   config/crd/bases/*.yaml              copies of the CRDs for kustomize
//   config/crd/kustomization.yaml        listing them
// Usage: tsx hack/codegen/generate.ts [--check]
// With --check it writes nothing and exits 1, naming every stale file, if any output differs.
// This file does the IO; render.ts holds the logic.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import * as prettier from 'prettier';
import {
  assembleTypes,
  duplicates,
  generatedCrdCopy,
  kustomization,
  parseCrd,
  separateDeclarations,
  sharedConditionSchema,
  staleFiles,
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

async function pretty(text: string, file: string): Promise<string> {
  const filepath = path.join(repo, file);
  const options = await prettier.resolveConfig(filepath, { config: path.join(repo, '.prettierrc.json') });
  return prettier.format(text, { ...options, filepath });
}

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

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(repo, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** What is on disk now: the wanted files, and every YAML file in the folders of CRD copies. */
async function snapshot(wanted: ReadonlyMap<string, string>): Promise<Map<string, string | undefined>> {
  const paths = new Set(wanted.keys());
  for (const dir of COPY_DIRS) {
    const names = await readdir(path.join(repo, dir)).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.yaml')) paths.add(`${dir}/${n}`);
  }
  const entries = await Promise.all([...paths].map(async (p) => [p, await readIfExists(p)] as const));
  return new Map(entries);
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const wanted = await render();
  const stale = staleFiles(wanted, await snapshot(wanted));
  if (check) {
    if (stale.length === 0) return 0;
    console.error(
      `Generated files are stale; run npm run generate:\n${stale.map((s) => `  ${s}`).join('\n')}`,
    );
    return 1;
  }
  for (const file of stale) {
    const content = wanted.get(file);
    const abs = path.join(repo, file);
    if (content === undefined) {
      await rm(abs);
      console.log(`removed ${file}`);
    } else {
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, content);
      console.log(`wrote ${file}`);
    }
  }
  return 0;
}

process.exitCode = await main();
