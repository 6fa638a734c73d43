// Zone text from BIND's own tools, independent of the operator's DNS code: what named-checkzone
// loads from a file and what dig transfers from a server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIG_OUTPUT = { maxBuffer: 64 * 1024 * 1024 };

export interface TransferKey {
  name: string;
  secret: string;
}

/** The zone by AXFR with dig, signed, as zone file text: one SOA, without dig's comments and TSIG. */
export async function axfr(port: number, origin: string, key: TransferKey): Promise<string> {
  const { stdout } = await run(
    'dig',
    [
      ...['-y', `hmac-sha256:${key.name}:${key.secret}`, '-p', String(port), '@127.0.0.1'],
      ...[origin, 'AXFR', '+onesoa', '+nocmd', '+nostats', '+tries=1', '+time=5'],
    ],
    BIG_OUTPUT,
  );
  if (/^; Transfer failed|^;; communications error|^;; connection timed out/m.test(stdout))
    throw new Error(`AXFR of ${origin} from 127.0.0.1:${port} failed: ${stdout.trim()}`);
  const records = stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith(';'));
  return records.filter((line) => line.split(/\s+/)[3] !== 'TSIG').join('\n') + '\n';
}

/** The zone as BIND loads it from a file, one record a line (`named-checkzone -D`). */
export async function bindDump(origin: string, file: string): Promise<string> {
  try {
    const { stdout } = await run('named-checkzone', ['-D', '-o', '-', origin, file], BIG_OUTPUT);
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`named-checkzone does not load ${file}:\n${(stdout + stderr).trim()}`);
  }
}
