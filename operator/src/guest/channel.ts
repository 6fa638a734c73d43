import { Client, type ClientChannel } from 'ssh2';
import { shellCommand } from './shellQuote.js';

export interface GuestEndpoint {
  host: string;
  port: number;
  username: string;
  /** The operator's client key, OpenSSH format. */
  privateKey: string;
  /** The guest's host key as the operator generated and injected it: "ssh-ed25519 AAAA…". */
  hostPublicKey: string;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What the operator does inside a guest. */
export interface GuestChannel {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Replaces path atomically (temporary file in the same folder, then rename). */
  writeFile(path: string, content: string | Buffer, mode?: string): Promise<void>;
  readFile(path: string, maxBytes?: number): Promise<Buffer>;
  close(): void;
}

/** Why an SSH connection to a guest failed, as far as the client can tell. */
export type ConnectFailure = 'hostKeyMismatch' | 'authentication' | 'timeout' | 'refused' | 'other';

export class GuestConnectError extends Error {
  constructor(
    message: string,
    readonly failure: ConnectFailure,
  ) {
    super(message);
    this.name = 'GuestConnectError';
  }
}

/**
 * How long the controllers give a guest's SSH handshake. A guest under software emulation on a
 * busy host takes tens of seconds; a client that gives up early and retries loads it further.
 */
export const GUEST_HANDSHAKE_TIMEOUT_MS = 60_000;

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

const WRITE_ATOMICALLY =
  'set -e; target=$1; dir=$(dirname -- "$target"); tmp=$(mktemp "$dir/.servirt-XXXXXX"); ' +
  'trap \'rm -f -- "$tmp"\' EXIT; cat > "$tmp"; chmod "$2" "$tmp"; mv -f -- "$tmp" "$target"; trap - EXIT';

/** Connects over SSH, accepting only the pinned host key: no trust on first use. */
export function connectGuest(endpoint: GuestEndpoint, timeoutMs = 20_000): Promise<GuestChannel> {
  const pinned = pinnedKeyBlob(endpoint.hostPublicKey);
  const client = new Client();
  return new Promise((resolve, reject) => {
    let hostKeyRejected = false;
    client.once('ready', () => {
      settled = true;
      resolve(channelOver(client));
    });
    // ssh2 may emit several errors for one failed connection, and more after it is up: an
    // unheard 'error' would end the process.
    let settled = false;
    client.on('error', (error) => {
      if (settled) return;
      settled = true;
      const where = `${endpoint.host}:${endpoint.port}`;
      reject(
        hostKeyRejected
          ? new GuestConnectError(
              `guest ${where} presented a host key other than the pinned one`,
              'hostKeyMismatch',
            )
          : new GuestConnectError(
              `cannot reach guest ${where} over SSH: ${error.message}`,
              connectFailure(error),
            ),
      );
    });
    // ssh2 emits neither 'ready' nor 'error' when the server closes after its banner but before
    // the handshake ends (cloud-init restarting sshd as it writes the host keys), and it clears
    // its readyTimeout then: without this the promise, and the probe waiting on it, never settle.
    client.on('close', () => {
      if (settled) return;
      settled = true;
      reject(
        new GuestConnectError(
          `cannot reach guest ${endpoint.host}:${endpoint.port} over SSH: the connection closed before the SSH handshake finished`,
          'other',
        ),
      );
    });
    client.connect({
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username,
      privateKey: endpoint.privateKey,
      readyTimeout: timeoutMs,
      keepaliveInterval: 15_000,
      hostVerifier: (key: Buffer) => {
        hostKeyRejected = !key.equals(pinned);
        return !hostKeyRejected;
      },
    });
  });
}

function connectFailure(error: Error & { level?: string; code?: string }): ConnectFailure {
  if (error.level === 'client-authentication') return 'authentication';
  if (error.level === 'client-timeout' || /timed out/i.test(error.message)) return 'timeout';
  if (error.code === 'ECONNREFUSED') return 'refused';
  return 'other';
}

function pinnedKeyBlob(publicKey: string): Buffer {
  const base64 = publicKey.trim().split(/\s+/)[1];
  if (!base64) throw new Error('the pinned host key is not in "type base64" form');
  return Buffer.from(base64, 'base64');
}

function channelOver(client: Client): GuestChannel {
  const run = async (argv: readonly string[], options: RunOptions = {}): Promise<RunResult> => {
    const result = await exec(client, shellCommand(argv), options);
    return { ...result, stdout: result.stdout.toString('utf8') };
  };
  return {
    run,
    async writeFile(path, content, mode = '0644') {
      const result = await run(['sh', '-c', WRITE_ATOMICALLY, 'sh', path, mode], { input: content });
      if (result.code !== 0) throw new Error(`writing ${path} in the guest failed: ${result.stderr.trim()}`);
    },
    async readFile(path, maxBytes = DEFAULT_MAX_OUTPUT) {
      const result = await exec(client, shellCommand(['cat', '--', path]), { maxOutputBytes: maxBytes });
      if (result.code !== 0) throw new Error(`reading ${path} in the guest failed: ${result.stderr.trim()}`);
      return result.stdout;
    },
    close: () => client.end(),
  };
}

function exec(
  client: Client,
  command: string,
  options: RunOptions,
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let stream: ClientChannel | undefined;
    let settled = false;
    const fail = (failure: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (stream) {
        stream.signal('KILL');
        stream.close();
      } else {
        // The guest never answered the channel open (it went away mid-handshake): drop the connection.
        client.end();
      }
      reject(failure);
    };
    // Armed before the channel is asked for: a guest that stops answering before the channel
    // opens would otherwise leave the caller waiting for ever.
    const timer = setTimeout(
      () => fail(new Error(`command timed out after ${timeoutMs} ms: ${command.slice(0, 200)}`)),
      timeoutMs,
    );
    const opened = (error: Error | undefined, channel: ClientChannel) => {
      if (error) return fail(error);
      if (settled) return channel.close();
      stream = channel;
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxOutput)
          fail(new Error(`command printed more than ${maxOutput} bytes: ${command.slice(0, 200)}`));
        else into.push(chunk);
      };
      // A guest that goes away mid-command (shutting down) errors the stream: reject, never crash.
      channel.on('error', (failure: Error) => fail(failure));
      channel.on('data', collect(stdout));
      channel.stderr.on('data', collect(stderr));
      channel.on('close', (code: number | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(stdout),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
      channel.end(options.input);
    };
    try {
      client.exec(command, opened);
    } catch (error) {
      fail(error as Error);
    }
  });
}
