// What a local run leaves running on purpose, so that `npm run local:down` (or the next
// `npm run local`) can stop it: the control plane's folder, the process groups of the cluster
// controllers, the node and the libvirt host's sshd.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ControlPlane } from '../cluster/controlPlane.js';
import { LocalNode } from '../cluster/node.js';
import { stopProcessGroup } from '../cluster/processes.js';
import { repoDir, toolPath } from '../cluster/tools.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const LOCAL_DIR = path.join(repoDir, '.local');
export const CLUSTER_DIR = path.join(LOCAL_DIR, 'cluster');
export const NODE_NAME = 'local';
const STATE_FILE = path.join(LOCAL_DIR, 'local.json');

export interface LocalState {
  controllerPids: number[];
  nodePids: number[];
  sshdPid?: number;
  sshdDir?: string;
}

export async function saveState(state: LocalState): Promise<void> {
  await writeFile(STATE_FILE, JSON.stringify(state, null, 2) + '\n');
}

/**
 * Stops what a local run left: first deletes the samples (the operator pod removes their
 * guests and volumes from the libvirt host), then the sshd, the node, the controllers and the
 * control plane, whose folder goes too. log says what it does.
 */
export async function stopLocal(log: (line: string) => void): Promise<void> {
  const state = existsSync(STATE_FILE)
    ? (JSON.parse(await readFile(STATE_FILE, 'utf8')) as LocalState)
    : undefined;
  const plane = await ControlPlane.attach(CLUSTER_DIR);
  if (plane?.isRunning() && state) {
    log('deleting the samples (the operator removes their guests and volumes)');
    await run(
      await toolPath('kubectl'),
      [
        '--kubeconfig',
        plane.kubeconfigPath,
        'delete',
        'benchmarks,websites,dnszones,guestdomains,virtualhosts',
        '--all',
        '-n',
        'default',
        '--wait=true',
        '--timeout=300s',
      ],
      { timeout: 330_000 },
    ).catch((error: Error) => log(`could not delete every sample: ${error.message.split('\n')[0]}`));
  }
  if (state?.sshdPid) await stopProcessGroup(state.sshdPid);
  if (state?.sshdDir) await rm(state.sshdDir, { recursive: true, force: true });
  await LocalNode.stopDetached(NODE_NAME, state?.nodePids ?? []);
  for (const pid of state?.controllerPids ?? []) await stopProcessGroup(pid);
  if (plane?.isRunning()) await plane.stop();
  await rm(CLUSTER_DIR, { recursive: true, force: true });
  await rm(STATE_FILE, { force: true });
}
