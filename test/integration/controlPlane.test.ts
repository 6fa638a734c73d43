// The local control plane itself: authorization is real, and nothing outlives a killed test run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { kubectl, repoPath } from './cluster.js';

/** PIDs of live processes whose command line mentions text. */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(Number(entry));
  }
  return found;
}

describe('local control plane', () => {
  it('serves the version it was built at, with RBAC authorization on', async () => {
    const version = await kubectl(['version', '-o', 'json']);
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).toMatch(/^v1\.36\.\d+$/);
    const canI = await kubectl([
      'auth',
      'can-i',
      'list',
      'secrets',
      '--as=system:serviceaccount:default:nobody',
    ]);
    expect(canI.stdout.trim()).toBe('no');
    const admin = await kubectl(['auth', 'can-i', 'list', 'secrets']);
    expect(admin.stdout.trim()).toBe('yes');
  });

  it('stops etcd and kube-apiserver when the process that started them is killed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-tied-'));
    const owner = spawn(
      'node',
      ['--import', 'tsx', repoPath('test/integration/fixtures/tiedControlPlane.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const [firstOutput] = (await once(owner.stdout, 'data')) as [Buffer];
      expect(firstOutput.toString()).toContain('started');
      const servers = await processesMentioning(path.join(dir, 'etcd-data'));
      expect(servers.length).toBeGreaterThan(0);

      owner.kill('SIGKILL');
      const deadline = Date.now() + 20_000;
      let left = await processesMentioning(dir);
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = await processesMentioning(dir);
      }
      expect(left).toEqual([]);
    } finally {
      owner.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
