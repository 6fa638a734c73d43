import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { repoDir } from './tools.js';

export interface Started {
  pid: number;
  logFile: string;
}

/**
 * Starts a long-running process in its own process group, output to a log file.
 * With ownerPid set it runs under hack/cluster/run-tied.sh, which stops it when
 * the owner exits, so a killed test run leaves nothing behind.
 */
export function startProcess(command: string, args: string[], logFile: string, ownerPid?: number): Started {
  const fd = openSync(logFile, 'a');
  const argv =
    ownerPid === undefined
      ? [command, ...args]
      : ['bash', path.join(repoDir, 'hack/cluster/run-tied.sh'), String(ownerPid), command, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${command}; see ${logFile}`);
  return { pid: child.pid, logFile };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM to the process group, then SIGKILL after graceMs; resolves once the leader is gone. */
export async function stopProcessGroup(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once check() is true, checking every 500 ms; throws "<what>: not within <timeoutMs> ms". */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(500);
  }
}
