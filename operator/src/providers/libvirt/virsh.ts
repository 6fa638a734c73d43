import { execFile } from 'node:child_process';

export interface VirshOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Runs `virsh -c URI ...commands` (argv, never a shell) with a timeout and bounded output. */
export function virsh(uri: string, args: string[], options: VirshOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'virsh',
      ['--quiet', '--connect', uri, ...args],
      { timeout: options.timeoutMs ?? 20_000, maxBuffer: MAX_OUTPUT_BYTES, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(
            new Error(
              `virsh ${args[0] ?? ''} on ${uri} failed: ${detail.replace(/\s+/g, ' ').slice(0, 500)}`,
            ),
          );
        } else resolve(stdout);
      },
    );
  });
}
