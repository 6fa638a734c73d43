// npm run bench:guest-restart [-- --kills N]: how fast the operator notices a guest killed behind
// its back. The operator runs as a process (as `npm start` does) with a real guest under libvirtd;
// each round `virsh destroy`s the running domain from outside, as an administrator or a crash would.
//   detectMs: libvirt's Stopped event (its own timestamp) -> the operator logged that event for the
//             guest and queued it (the periodic check alone took up to 10 s).
//   runningAgainS: the Stopped event -> libvirt's next Started event for the domain (the operator's
//             reconcile, its `virsh start`).
// The bench watches libvirt's events with the operator's own LifecycleStream (the same virsh event
// stream). Prints every sample, then one JSON line last: {kills, detectP50Ms, detectMaxMs, runningAgainP50S, ...}.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';
import { freePort, sleep } from '../../hack/cluster/processes.js';
import { toolPath } from '../../hack/cluster/tools.js';
import {
  LifecycleStream,
  type LifecycleEvent,
} from '../../operator/src/providers/libvirt/lifecycleEvents.js';
import { guestNames } from '../../operator/src/controllers/guestdomain/plan.js';
import type { GuestDomain } from '../../operator/src/api/types.generated.js';
import {
  LIBVIRT_URI,
  prepareGuestEnvironment,
  removeFromHost,
  stopGuestEnvironment,
  virsh,
} from '../e2e/environment.js';
import { guestDomain, localHost } from '../e2e/guests.js';
import { eventually, startOperatorProcess } from '../integration/operatorProcess.js';
import { runCommand } from '../integration/cluster.js';
import { median } from './support.js';

const log = (message: string) => process.stderr.write(`[bench:guest-restart] ${message}\n`);
const { values } = parseArgs({ options: { kills: { type: 'string', default: process.env.CI ? '1' : '5' } } });
const kills = Number(values.kills);
if (!Number.isInteger(kills) || kills < 1)
  throw new Error(`--kills must be a positive integer: ${values.kills}`);
const NAMESPACE = 'bench-restart';
const GUEST = 'restart';

log('preparing the guest image and libvirtd');
const { startedLibvirt } = await prepareGuestEnvironment();
const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-restart-'));
const plane = await ControlPlane.start(dir, process.pid);
process.env.KUBECONFIG = plane.kubeconfigPath;
const kubectl = async (args: string[], input?: string) => {
  const result = await runCommand(
    await toolPath('kubectl'),
    ['--kubeconfig', plane.kubeconfigPath, ...args],
    input,
  );
  if (result.code !== 0) throw new Error(result.stderr);
  return result.stdout;
};
const manifest = guestDomain(NAMESPACE, GUEST, await freePort(), await freePort());
const domain = guestNames(manifest as unknown as GuestDomain).domain;
const events: LifecycleEvent[] = [];
const stream = new LifecycleStream(LIBVIRT_URI, undefined, (event) => {
  if (event.domain === domain) events.push(event);
});
let operator: Awaited<ReturnType<typeof startOperatorProcess>> | undefined;
try {
  await installCrds(plane.kubeconfigPath);
  await kubectl(['create', 'namespace', NAMESPACE]);
  await kubectl(['apply', '-f', '-'], JSON.stringify(localHost(NAMESPACE)));
  operator = await startOperatorProcess(plane.kubeconfigPath, { SERVIRT_LEADER_ELECTION: 'false' });
  stream.start();
  await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
  const condition = async (type: string) => {
    const guest = JSON.parse(
      await kubectl(['get', 'gd', GUEST, '-n', NAMESPACE, '-o', 'json']),
    ) as GuestDomain;
    return guest.status?.conditions?.find((c) => c.type === type)?.status === 'True';
  };
  log('booting the guest until GuestReady');
  await eventually(() => condition('GuestReady'), 900_000, 'GuestReady');
  const detectMs: number[] = [];
  const runningAgainS: number[] = [];
  for (let round = 1; round <= kills; round++) {
    await sleep(3_000);
    const seen = events.length;
    const logged = operator.lines.length;
    await virsh('destroy', domain);
    await eventually(
      () => events.slice(seen).some((e) => e.event === 'Started'),
      120_000,
      `round ${round}: the domain running again`,
    );
    const stopped = events.slice(seen).find((e) => e.event === 'Stopped');
    const started = events.slice(seen).find((e) => e.event === 'Started');
    const noticed = operator.lines
      .slice(logged)
      .find((line) => line.msg === 'domain lifecycle event' && line.event === 'Stopped');
    if (!stopped || !started || !noticed) throw new Error(`round ${round}: an event is missing`);
    detectMs.push(Math.round((noticed.time as number) - stopped.atMs));
    runningAgainS.push(Math.round(started.atMs - stopped.atMs) / 1000);
    log(
      `round ${round}: detected after ${detectMs.at(-1)} ms, running again after ${runningAgainS.at(-1)} s`,
    );
    await eventually(() => condition('Running'), 120_000, 'Running again');
  }
  await kubectl(['delete', 'gd', GUEST, '-n', NAMESPACE, '--timeout=180s']);
  console.log(
    JSON.stringify({
      kills,
      detectP50Ms: median(detectMs),
      detectMaxMs: Math.max(...detectMs),
      runningAgainP50S: median(runningAgainS),
      samples: { detectMs, runningAgainS },
    }),
  );
} finally {
  await stream.stop();
  operator?.child.kill('SIGTERM');
  await removeFromHost(`servirt-${NAMESPACE}-`);
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
  if (startedLibvirt) await stopGuestEnvironment();
}
