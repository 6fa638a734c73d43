// The operator and runner images as hack/image/build.sh makes them (npm run image), for the
// scripts and tests that load them into a node.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoDir } from '../cluster/tools.js';

const run = promisify(execFile);

export interface BuiltImage {
  /** localhost/<repository>:<version>-<hash of the inputs> */
  image: string;
  /** An OCI archive of the image, named after it in its index. */
  archive: string;
  /** Unpacked size. */
  bytes: number;
}

export interface BuiltImages {
  operator: BuiltImage;
  runner: BuiltImage;
  /** A node's pod sandbox image (hack/image/pause.sh). */
  pause: BuiltImage;
}

/** Builds what is missing (minutes when nothing is cached) and says which images there are. */
export async function buildImages(options: { base?: string } = {}): Promise<BuiltImages & { log: string }> {
  const args = [path.join(repoDir, 'hack/image/build.sh'), ...(options.base ? ['--base', options.base] : [])];
  const { stdout, stderr } = await run('bash', args, { maxBuffer: 16 * 1024 * 1024, timeout: 40 * 60_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(last) as BuiltImages), log: stderr };
}

/** Runs a command in a throw-away container of image (hack/image/run.sh): its output and exit code. */
export async function runInImage(
  image: string,
  command: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', [
      path.join(repoDir, 'hack/image/run.sh'),
      image,
      ...command,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
