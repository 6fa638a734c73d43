// What a failed e2e suite leaves to read: under .local/test-evidence/<suite>-<time>/ (git-ignored),
// each guest's serial console log, the suite's objects with their conditions and events, the
// operator's log, and from each guest that still answers SSH `cloud-init status --long` and the
// sshd, named and apache2 journals. Every part is bounded in time and size and never throws: a
// part that cannot be had says why in its file.
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoDir } from '../../hack/cluster/tools.js';
import { kubectl } from '../integration/cluster.js';
import { POOL, virsh } from './environment.js';
import { guestReport } from './guestShell.js';

export interface EvidenceSources {
  namespace: string;
  /** Each guest's name, its libvirt domain and (when it forwards one) its SSH port on loopback. */
  guests: { name: string; domain: string; sshPort?: number }[];
  /** The operator's parsed JSON log lines, when the suite ran one. */
  operatorLines?: () => Record<string, unknown>[];
}

const PART_TIMEOUT_MS = 90_000;
const CONSOLE_TAIL_BYTES = 1024 * 1024;
const OPERATOR_LINES = 5000;
const KINDS = 'virtualhost,guestdomain,dnszone,website,benchmark';
const GUEST_COMMANDS = [
  'cloud-init status --long',
  'journalctl -b --no-pager -u ssh -n 200',
  'journalctl -b --no-pager -u named -n 200',
  'journalctl -b --no-pager -u apache2 -n 200',
  'tail -n 200 /var/log/cloud-init-output.log',
];

/** Runs part within PART_TIMEOUT_MS; its failure becomes the text it returns. */
async function bounded(what: string, part: () => Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`${what}: no answer within ${PART_TIMEOUT_MS / 1000} s\n`),
      PART_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([part().catch((error: unknown) => `${what}: ${String(error)}\n`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function fileTail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return (start > 0 ? `[… the first ${start} bytes left out]\n` : '') + buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

async function consoleLog(domain: string): Promise<string> {
  await virsh('pool-refresh', POOL);
  const file = (await virsh('vol-path', `${domain}.console.log`, '--pool', POOL)).trim();
  return fileTail(file, CONSOLE_TAIL_BYTES);
}

async function kubectlText(args: string[]): Promise<string> {
  const result = await kubectl(args);
  return `$ kubectl ${args.join(' ')}  (exit ${result.code})\n${result.stdout}${result.stderr}`;
}

/** Saves what there is to know about the suite's guests; returns the folder, which it also prints. */
export async function saveEvidence(suite: string, sources: EvidenceSources): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(repoDir, '.local', 'test-evidence', `${suite}-${stamp}`);
  await mkdir(dir, { recursive: true });
  const save = async (file: string, what: string, part: () => Promise<string>) =>
    writeFile(path.join(dir, file), await bounded(what, part)).catch(() => undefined);

  const { namespace } = sources;
  await Promise.all([
    save('objects.yaml', 'kubectl get', () => kubectlText(['get', KINDS, '-n', namespace, '-o', 'yaml'])),
    save('events.txt', 'kubectl get events', () =>
      kubectlText(['get', 'events', '-n', namespace, '--sort-by=.lastTimestamp']),
    ),
    save('operator.log', 'the operator log', async () =>
      (sources.operatorLines?.() ?? [])
        .slice(-OPERATOR_LINES)
        .map((line) => JSON.stringify(line))
        .join('\n'),
    ),
    ...sources.guests.map((guest) =>
      save(`${guest.name}.console.log`, `${guest.domain}'s console log`, () => consoleLog(guest.domain)),
    ),
  ]);
  for (const guest of sources.guests) {
    const { sshPort } = guest;
    if (sshPort === undefined) continue;
    await save(`${guest.name}.inside.txt`, `inside ${guest.name}`, () =>
      guestReport(namespace, guest.name, sshPort, GUEST_COMMANDS),
    );
  }
  console.log(`evidence of ${suite} saved in ${dir}`);
  return dir;
}
