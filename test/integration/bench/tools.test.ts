// The benchmark tools (operator/src/bench/tools) running the real dnsperf, wrk and sysbench on loopback.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { freePort } from '../../../hack/cluster/processes.js';
import { queriesFromRecords, runDnsperf } from '../../../operator/src/bench/tools/dnsperf.js';
import { localRunner } from '../../../operator/src/bench/tools/localRunner.js';
import { runSysbench } from '../../../operator/src/bench/tools/sysbench.js';
import { runWrk } from '../../../operator/src/bench/tools/wrk.js';
import { startNamed, type TestNamed } from '../dns/namedProcess.js';

const HOSTS = 200;
const records = Array.from({ length: HOSTS }, (_, i) => ({ name: `h${i}`, type: 'A' }));
const ZONE_FILE =
  '$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n' +
  records.map(({ name }, i) => `${name} A 192.0.2.${i % 250}\n`).join('');

describe('runDnsperf', () => {
  let named: TestNamed;
  let queriesFile: string;

  beforeAll(async () => {
    named = await startNamed([], [{ name: 'bench.test', zoneFile: ZONE_FILE, options: '' }]);
    queriesFile = path.join(named.dir, 'queries.txt');
    await writeFile(queriesFile, queriesFromRecords('bench.test.', [{ name: '@', type: 'SOA' }, ...records]));
  });
  afterAll(() => named?.stop());

  const options = (port: number) => ({
    server: '127.0.0.1',
    port,
    queriesFile,
    durationSeconds: 2,
    clients: 2,
    threads: 1,
    timeoutSeconds: 1,
  });

  it('measures named: rate, answers and latency percentiles', async () => {
    const measurement = await runDnsperf(options(named.port));
    expect(measurement.throughput).toBeGreaterThan(0);
    expect(measurement.errors).toBe(0);
    expect(measurement.responseCodes?.NOERROR).toBeGreaterThan(0);
    expect(Object.keys(measurement.responseCodes ?? {})).toEqual(['NOERROR']);
    expect(measurement.latencyAvgMs).toBeGreaterThan(0);
    expect(measurement.latencyP50Ms).toBeGreaterThan(0);
    expect(measurement.latencyP50Ms).toBeLessThanOrEqual(measurement.latencyP99Ms ?? NaN);
  });

  it('fails when nothing answers: every query lost', async () => {
    const port = await freePort();
    await expect(runDnsperf({ ...options(port), durationSeconds: 1 })).rejects.toThrow(
      new RegExp(
        `^dnsperf got no answer from 127\\.0\\.0\\.1:${port}: all \\d+ queries lost \\(timeout 1 s\\)$`,
      ),
    );
  });

  it("fails with dnsperf's reason when it cannot start a run", async () => {
    await expect(
      runDnsperf({ ...options(named.port), queriesFile: path.join(named.dir, 'missing.txt') }),
    ).rejects.toThrow(`dnsperf failed (exit code 1): Error: unable to open file: ${named.dir}/missing.txt`);
  });
});

describe('runWrk', () => {
  let server: Server;
  let url: string;
  const hosts: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (hosts.length < 10) hosts.push(request.headers.host ?? '');
      response.end('hello\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('measures an HTTP server', async () => {
    const measurement = await runWrk({
      url,
      hostHeader: 'www.example.test',
      connections: 2,
      threads: 1,
      durationSeconds: 2,
    });
    expect(measurement.throughput).toBeGreaterThan(0);
    expect(measurement.errors).toBe(0);
    expect(measurement.latencyP50Ms).toBeGreaterThan(0);
    expect(measurement.latencyP50Ms).toBeLessThanOrEqual(measurement.latencyP99Ms ?? NaN);
    expect(new Set(hosts)).toEqual(new Set(['www.example.test']));
  });

  it('fails when nothing listens', async () => {
    const port = await freePort();
    await expect(
      runWrk({ url: `http://127.0.0.1:${port}/`, connections: 1, threads: 1, durationSeconds: 1 }),
    ).rejects.toThrow(`wrk failed (exit code 1): unable to connect to 127.0.0.1:${port} Connection refused`);
  });
});

describe('runSysbench with localRunner', () => {
  it('scores cpu in events/s and memory in MiB/s', async () => {
    const cpu = await runSysbench('cpu', { durationSeconds: 1, threads: 1 }, localRunner);
    expect(cpu).toMatchObject({ scoreUnit: 'events/s', errors: 0 });
    expect(cpu.throughput).toBeGreaterThan(0);
    expect(cpu.latencyP99Ms).toBeGreaterThan(0);
    const memory = await runSysbench('memory', { durationSeconds: 1, threads: 1 }, localRunner);
    expect(memory).toMatchObject({ scoreUnit: 'MiB/s', errors: 0 });
    expect(memory.throughput).toBeGreaterThan(0);
  });
});

describe('localRunner', () => {
  it('passes input, returns output and the exit code', async () => {
    await expect(localRunner.run(['cat'], { input: 'hello' })).resolves.toEqual({
      code: 0,
      stdout: 'hello',
      stderr: '',
    });
    await expect(localRunner.run(['sh', '-c', 'echo oops >&2; exit 3'])).resolves.toEqual({
      code: 3,
      stdout: '',
      stderr: 'oops\n',
    });
  });

  it('kills a command that runs too long or prints too much', async () => {
    const started = Date.now();
    await expect(localRunner.run(['sleep', '30'], { timeoutMs: 200 })).rejects.toThrow(
      'command timed out after 200 ms: sleep 30',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(localRunner.run(['yes'], { maxOutputBytes: 100_000 })).rejects.toThrow(
      'command printed more than 100000 bytes: yes',
    );
  });

  it('fails when the command does not exist', async () => {
    await expect(localRunner.run(['servirt-no-such-command'])).rejects.toThrow(
      'cannot run servirt-no-such-command: spawn servirt-no-such-command ENOENT',
    );
  });
});
