import { execFile } from 'node:child_process';
import { openConnection, usesSsh, usesTls, type Credentials } from './connection.js';

export interface VirshOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Runs `virsh -c URI ...commands` (argv, never a shell) with a timeout and bounded output. */
export function virsh(uri: string, args: string[], options: VirshOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
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
    // virsh must never wait for an answer (a host key prompt, a password).
    child.stdin?.end();
  });
}

/** Where the keys of a remote host come from (its VirtualHost's SSH or TLS Secret). */
export type CredentialSource = () => Promise<Credentials | undefined>;

/** virsh on any host: over SSH or TLS with the host's keys from its Secret (written for this call only), else directly. */
export async function virshOn(
  uri: string,
  credentials: CredentialSource | undefined,
  args: string[],
  options: VirshOptions = {},
): Promise<string> {
  if (!usesSsh(uri) && !usesTls(uri)) return virsh(uri, args, options);
  const connection = await openConnection(uri, await credentials?.());
  try {
    return await virsh(connection.uri, args, { ...options, ...(connection.env && { env: connection.env }) });
  } finally {
    await connection.close();
  }
}
