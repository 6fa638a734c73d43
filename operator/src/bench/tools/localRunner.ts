// A CommandRunner for this machine, with the guest channel's limits: a timeout and a cap on output.
import { spawn } from 'node:child_process';
import type { RunOptions, RunResult } from '../../guest/channel.js';
import type { CommandRunner } from '../measurement.js';

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

export const localRunner: CommandRunner = {
  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [command, ...args] = argv;
    if (command === undefined) return Promise.reject(new Error('no command to run'));
    const described = argv.join(' ').slice(0, 200);
    const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: 'pipe' });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (failure: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(failure);
      };
      const timer = setTimeout(
        () => fail(new Error(`command timed out after ${timeoutMs} ms: ${described}`)),
        timeoutMs,
      );
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxOutput) fail(new Error(`command printed more than ${maxOutput} bytes: ${described}`));
        else into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      child.on('error', (error) => fail(new Error(`cannot run ${command}: ${error.message}`)));
      // A command that exits without reading its input would otherwise fail the write.
      child.stdin.on('error', () => {});
      child.on('close', (code) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
      child.stdin.end(options.input);
    });
  },
};
