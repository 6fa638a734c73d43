// What both generators do with what they render: format it with the repository's Prettier
// configuration, compare it with the files on disk, and then either report the stale ones
// (--check, for CI) or write them (and remove generated files that are no longer wanted).
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import { staleFiles } from './render.js';

export async function prettyIn(repo: string, text: string, file: string): Promise<string> {
  const filepath = path.join(repo, file);
  const options = await prettier.resolveConfig(filepath, { config: path.join(repo, '.prettierrc.json') });
  return prettier.format(text, { ...options, filepath });
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** What is on disk now: the wanted files, and every YAML file in the generated folders. */
async function snapshot(
  repo: string,
  wanted: ReadonlyMap<string, string>,
  generatedDirs: readonly string[],
): Promise<Map<string, string | undefined>> {
  const paths = new Set(wanted.keys());
  for (const dir of generatedDirs) {
    const names = await readdir(path.join(repo, dir)).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.yaml')) paths.add(`${dir}/${n}`);
  }
  const entries = await Promise.all(
    [...paths].map(async (p) => [p, await readIfExists(path.join(repo, p))] as const),
  );
  return new Map(entries);
}

/** Writes the stale files (or, with check, names them and returns 1). */
export async function syncGenerated(options: {
  repo: string;
  wanted: ReadonlyMap<string, string>;
  generatedDirs: readonly string[];
  check: boolean;
  what: string;
}): Promise<number> {
  const { repo, wanted } = options;
  const stale = staleFiles(wanted, await snapshot(repo, wanted, options.generatedDirs));
  if (options.check) {
    if (stale.length === 0) return 0;
    console.error(
      `${options.what} are stale; run npm run generate:\n${stale.map((s) => `  ${s}`).join('\n')}`,
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
