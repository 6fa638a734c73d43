// Runs a load generator (dnsperf, wrk) on this machine, handing its stdout over chunk by chunk.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** How a tool is started; tests pass a fake. */
export type SpawnFn = (command: string, args: readonly string[]) => ChildProcessWithoutNullStreams;

export const spawnTool: SpawnFn = (command, args) => spawn(command, args, { stdio: 'pipe' });

export interface ToolExit {
  /** The exit code; -1 when a signal ended the tool. */
  code: number;
  /** The last STDERR_TAIL characters of stderr. */
  stderrTail: string;
}

const STDERR_TAIL = 4096;

/** Resolves when the tool exits; rejects when it cannot start or outlives timeoutMs (then it is killed). */
export function runToolProcess(
  spawnFn: SpawnFn,
  command: string,
  args: readonly string[],
  onStdout: (chunk: string) => void,
  timeoutMs: number,
): Promise<ToolExit> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnFn(command, args);
    } catch (error) {
      reject(new Error(`cannot run ${command}: ${(error as Error).message}`));
      return;
    }
    let stderrTail = '';
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new Error(`${command} did not finish within ${timeoutMs} ms; killed it`)));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!settled) onStdout(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
    });
    child.on('error', (error) => finish(() => reject(new Error(`cannot run ${command}: ${error.message}`))));
    // 'close', not 'exit': stdout has been read to its end.
    child.on('close', (code) => finish(() => resolve({ code: code ?? -1, stderrTail })));
    child.stdin.end();
  });
}

/**
 * The line of a tool's error output that says what went wrong: the last non-empty line before any
 * usage text, of stderr or else of stdout; '(no output)' if there is none.
 */
export function oneLineReason(stderr: string, stdout = ''): string {
  for (const text of [stderr, stdout]) {
    const usage = text.search(/^Usage:/m);
    const lines = (usage === -1 ? text : text.slice(0, usage)).split('\n');
    const last = lines.map((line) => line.trim()).findLast((line) => line !== '');
    if (last) return last;
  }
  return '(no output)';
}
