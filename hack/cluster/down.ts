// npm run cluster:down — stops the local control plane that cluster:up started. Its data stays in .local/cluster.
import path from 'node:path';
import { ControlPlane } from './controlPlane.js';
import { repoDir } from './tools.js';

const plane = await ControlPlane.attach(path.join(repoDir, '.local/cluster'));
if (plane?.isRunning()) {
  await plane.stop();
  console.log('control plane stopped');
} else {
  await plane?.stop();
  console.log('no control plane was running');
}
