// npm run cluster:up — starts (or reuses) the local control plane in .local/cluster and installs servirt's CRDs.
import path from 'node:path';
import { ControlPlane } from './controlPlane.js';
import { installCrds } from './crds.js';
import { repoDir } from './tools.js';

export const localClusterDir = path.join(repoDir, '.local/cluster');

const existing = await ControlPlane.attach(localClusterDir);
const plane = existing?.isRunning() ? existing : await ControlPlane.start(localClusterDir);
await installCrds(plane.kubeconfigPath);
console.log(`control plane ${existing?.isRunning() ? 'already running' : 'started'} at ${plane.server}`);
console.log(`logs: ${plane.dir}/*.log`);
console.log(`use it: source hack/env.sh   (or: export KUBECONFIG=${plane.kubeconfigPath})`);
