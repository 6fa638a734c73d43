// npm run local:down (hack/local-down.sh) — stops what `npm run local` left running: the samples'
// guests (deleted through the operator), the libvirt host's sshd, the node, the controllers and
// the control plane.
import { stopLocal } from './state.js';

await stopLocal((line) => process.stderr.write(`[local:down] ${line}\n`));
process.stderr.write('[local:down] the local cluster and its node are stopped\n');
