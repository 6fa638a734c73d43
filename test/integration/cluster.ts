// Helpers for integration tests against the control plane that globalSetup started.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { toolPath, repoDir } from '../../hack/cluster/tools.js';

export { repoDir };

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function testKubeconfig(): string {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) throw new Error('KUBECONFIG is not set: run integration tests through jest (globalSetup)');
  return kubeconfig;
}

/** Runs a command to completion; never throws on a non-zero exit. */
export function runCommand(command: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, KUBECONFIG: testKubeconfig() }, maxBuffer: 64 * 1024 * 1024, cwd: repoDir },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function kubectl(args: string[], input?: string): Promise<CommandResult> {
  return runCommand(await toolPath('kubectl'), args, input);
}

export async function helm(args: string[]): Promise<CommandResult> {
  return runCommand(await toolPath('helm'), args);
}

export const repoPath = (...parts: string[]) => path.join(repoDir, ...parts);
