// The operator as a real process against the real API server: endpoints, JSON logs, clean stop.
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testKubeconfig } from './cluster.js';
import { eventually, httpStatus, startOperatorProcess, type OperatorProcess } from './operatorProcess.js';

describe('operator process', () => {
  let operator: OperatorProcess;

  beforeAll(async () => {
    operator = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
  });
  afterAll(() => {
    operator.child.kill('SIGKILL');
  });

  it('turns ready once its caches have synced, and serves health and metrics', async () => {
    await eventually(async () => (await httpStatus(operator.port, '/readyz')) === 200);
    expect(await httpStatus(operator.port, '/healthz')).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${operator.port}/metrics`)).text();
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics).toMatch(/^rest_client_requests_total\{code="200",method="GET"/m);
    expect(metrics).toMatch(/^servirt_informer_relists_total\{resource="virtualhosts"\} 1$/m);
    expect(await httpStatus(operator.port, '/nothing-here')).toBe(404);
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
    const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-noapi-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const operator = await startOperatorProcess(kubeconfig);
    try {
      expect(await httpStatus(operator.port, '/healthz')).toBe(200);
      await eventually(() => operator.lines.some((line) => line.msg === 'API server not reachable'));
      expect(await httpStatus(operator.port, '/readyz')).toBe(503);
    } finally {
      operator.child.kill('SIGKILL');
    }
  });
});
