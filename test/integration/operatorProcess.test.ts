// The operator as a real process against the real API server: endpoints, JSON logs, clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { repoPath, testKubeconfig } from './cluster.js';

interface RunningOperator {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port: number;
}

async function startOperator(kubeconfig: string): Promise<RunningOperator> {
  const child = spawn('node', ['--import', 'tsx', repoPath('operator/src/main.ts')], {
    env: { ...process.env, KUBECONFIG: kubeconfig, SERVIRT_HTTP_HOST: '127.0.0.1', SERVIRT_HTTP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let resolvePort: (port: number) => void = () => {};
  const portKnown = new Promise<number>((resolve) => (resolvePort = resolve));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      const address = entry.address as { port?: number } | undefined;
      if (address?.port) resolvePort(address.port);
    }
  });
  return { child, lines, port: await portKnown };
}

async function status(port: number, path: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('operator process', () => {
  let operator: RunningOperator;

  beforeAll(async () => {
    operator = await startOperator(testKubeconfig());
  });
  afterAll(() => {
    operator.child.kill('SIGKILL');
  });

  it('turns ready once its caches have synced, and serves health and metrics', async () => {
    await eventually(async () => (await status(operator.port, '/readyz')) === 200);
    expect(await status(operator.port, '/healthz')).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${operator.port}/metrics`)).text();
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(await status(operator.port, '/nothing-here')).toBe(404);
  });

  it('logs JSON lines with a level and the API server version it reached', () => {
    const reached = operator.lines.find((line) => line.msg === 'API server reached');
    expect(reached).toMatchObject({ level: 30, version: expect.stringMatching(/^v1\.\d+\.\d+/) });
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    const exited = once(operator.child, 'exit');
    operator.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(operator.lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

describe('operator process without an API server', () => {
  it('stays alive but not ready while the API server cannot be reached', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/servirt-noapi-');
    const kubeconfig = `${dir}/kubeconfig`;
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const operator = await startOperator(kubeconfig);
    try {
      expect(await status(operator.port, '/healthz')).toBe(200);
      await eventually(async () => operator.lines.some((line) => line.msg === 'API server not reachable'));
      expect(await status(operator.port, '/readyz')).toBe(503);
    } finally {
      operator.child.kill('SIGKILL');
    }
  });
});
