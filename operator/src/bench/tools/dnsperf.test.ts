import { describe, expect, it } from '@jest/globals';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  DnsperfOutputReader,
  dnsperfArgs,
  parseDnsperfSummary,
  queriesFromRecords,
  runDnsperf,
} from './dnsperf.js';
import type { SpawnFn } from './toolProcess.js';

// Real outputs of dnsperf 2.10.0 against named 9.18 on loopback.
// 10 queries/s, -v, half of them for names that do not exist.
const VERBOSE_RUN = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 5411 -d q2.txt -l 1 -c 1 -T 1 -t 2 -Q 10 -v
[Status] Sending queries (to 127.0.0.1:5411)
[Status] Started at: Fri Nov 27 13:32:08 2026
[Status] Stopping after 1.000000 seconds
> NOERROR h1.example.com A 0.000244
> NXDOMAIN nx1.example.com A 0.000235
> NOERROR h2.example.com A 0.000202
> NXDOMAIN nx2.example.com A 0.000213
> NOERROR h3.example.com A 0.000214
> NXDOMAIN nx3.example.com A 0.000250
> NOERROR h4.example.com A 0.000222
> NXDOMAIN nx4.example.com A 0.000600
> NOERROR h5.example.com A 0.000257
> NXDOMAIN nx5.example.com A 0.000205
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         10
  Queries completed:    10 (100.00%)
  Queries lost:         0 (0.00%)

  Response codes:       NOERROR 5 (50.00%), NXDOMAIN 5 (50.00%)
  Average packet size:  request 32, response 66
  Run time (s):         1.000594
  Queries per second:   9.994064

  Average Latency (s):  0.000264 (min 0.000202, max 0.000600)
  Latency StdDev (s):   0.000120

`;
// -v; named stopped (SIGSTOP) for 1.3 s mid-run, timeout 1 s: one lost query, late answers.
const PARTIAL_LOSS_RUN = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 5411 -d q2.txt -l 3 -c 1 -T 1 -t 1 -Q 4 -v
[Status] Sending queries (to 127.0.0.1:5411)
[Status] Started at: Fri Nov 27 13:32:15 2026
[Status] Stopping after 3.000000 seconds
> NOERROR h1.example.com A 0.000275
> NXDOMAIN nx1.example.com A 0.000204
> NOERROR h2.example.com A 0.000242
> NXDOMAIN nx2.example.com A 0.000205
> NOERROR h3.example.com A 0.000247
> T nx3.example.com A
> NOERROR h4.example.com A 0.987564
> NXDOMAIN nx4.example.com A 0.737524
> NOERROR h5.example.com A 0.482279
> NXDOMAIN nx5.example.com A 0.237534
> NOERROR h6.example.com A 0.000213
> NXDOMAIN nx6.example.com A 0.000231
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         12
  Queries completed:    11 (91.67%)
  Queries lost:         1 (8.33%)

  Response codes:       NOERROR 6 (54.55%), NXDOMAIN 5 (45.45%)
  Average packet size:  request 32, response 64
  Run time (s):         3.000194
  Queries per second:   3.666430

  Average Latency (s):  0.222410 (min 0.000204, max 0.987564)
  Latency StdDev (s):   0.355543

`;
// -v against a port where nothing listens, timeout 1 s.
const DEAD_SERVER_RUN = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 5499 -d q.txt -l 1 -c 1 -T 1 -t 1 -Q 4 -v
[Status] Sending queries (to 127.0.0.1:5499)
[Status] Started at: Fri Nov 27 13:32:09 2026
[Status] Stopping after 1.000000 seconds
> T h1.example.com A
> T h2.example.com A
> T h3.example.com A
> T h4.example.com A
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         4
  Queries completed:    0 (0.00%)
  Queries lost:         4 (100.00%)

  Response codes:       
  Average packet size:  request 32, response 0
  Run time (s):         1.000239
  Queries per second:   0.000000

  Average Latency (s):  0.000000 (min 0.000000, max 0.000000)

`;
// Without -v, 4 clients on 2 threads.
const FULL_SPEED_RUN = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 5411 -d q2.txt -l 2 -c 4 -T 2 -t 1
[Status] Sending queries (to 127.0.0.1:5411)
[Status] Started at: Fri Nov 27 13:32:11 2026
[Status] Stopping after 2.000000 seconds
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         170728
  Queries completed:    170728 (100.00%)
  Queries lost:         0 (0.00%)

  Response codes:       NOERROR 85364 (50.00%), NXDOMAIN 85364 (50.00%)
  Average packet size:  request 33, response 66
  Run time (s):         2.002247
  Queries per second:   85268.201176

  Average Latency (s):  0.001081 (min 0.000028, max 0.046501)
  Latency StdDev (s):   0.001859

`;

describe('dnsperfArgs', () => {
  const options = {
    server: '192.0.2.53',
    port: 53,
    queriesFile: '/tmp/queries.txt',
    durationSeconds: 30,
    clients: 8,
    threads: 2,
    timeoutSeconds: 2,
    verbose: false,
  };

  it('builds the dnsperf 2.10 command line', () => {
    expect(dnsperfArgs(options)).toEqual([
      '-s',
      '192.0.2.53',
      '-p',
      '53',
      '-d',
      '/tmp/queries.txt',
      '-l',
      '30',
      '-c',
      '8',
      '-T',
      '2',
      '-t',
      '2',
    ]);
  });

  it('adds a rate limit and -v when asked', () => {
    expect(dnsperfArgs({ ...options, maxQps: 5000, verbose: true }).slice(-5)).toEqual([
      '-Q',
      '5000',
      '-t',
      '2',
      '-v',
    ]);
  });
});

describe('parseDnsperfSummary', () => {
  it('reads a clean run', () => {
    expect(parseDnsperfSummary(FULL_SPEED_RUN)).toEqual({
      qps: 85268.201176,
      sent: 170728,
      completed: 170728,
      lost: 0,
      responseCodes: { NOERROR: 85364, NXDOMAIN: 85364 },
      latencyAvgMs: expect.closeTo(1.081, 9),
    });
  });

  it('reads a run with lost queries', () => {
    expect(parseDnsperfSummary(PARTIAL_LOSS_RUN)).toEqual({
      qps: 3.66643,
      sent: 12,
      completed: 11,
      lost: 1,
      responseCodes: { NOERROR: 6, NXDOMAIN: 5 },
      latencyAvgMs: expect.closeTo(222.41, 9),
    });
  });

  it('reads a run without a single answer (empty response codes, no StdDev line)', () => {
    expect(parseDnsperfSummary(DEAD_SERVER_RUN)).toEqual({
      qps: 0,
      sent: 4,
      completed: 0,
      lost: 4,
      responseCodes: {},
      latencyAvgMs: 0,
    });
  });

  it('throws without statistics', () => {
    expect(() => parseDnsperfSummary('DNS Performance Testing Tool\nVersion 2.10.0\n\n')).toThrow(
      'dnsperf printed no statistics',
    );
  });
});

describe('DnsperfOutputReader', () => {
  it('turns answer lines into the histogram however the output is cut, and keeps the rest', () => {
    for (const size of [1, 7, 64, 100_000]) {
      const reader = new DnsperfOutputReader();
      for (let at = 0; at < VERBOSE_RUN.length; at += size) reader.push(VERBOSE_RUN.slice(at, at + size));
      const rest = reader.end();
      expect(reader.histogram.count).toBe(10);
      expect(reader.histogram.mean).toBeCloseTo(0.2642, 6);
      expect(reader.histogram.percentile(100)).toBeCloseTo(0.6, 9);
      expect(rest).not.toContain('> ');
      expect(rest).toContain('[Status] Testing complete');
      expect(parseDnsperfSummary(rest).completed).toBe(10);
    }
  });

  it('skips lost queries ("> T name type") and reads output without a final newline', () => {
    const reader = new DnsperfOutputReader();
    reader.push(PARTIAL_LOSS_RUN.trimEnd());
    expect(parseDnsperfSummary(reader.end()).lost).toBe(1);
    expect(reader.histogram.count).toBe(11);
    expect(reader.histogram.percentile(100)).toBeCloseTo(987.564, 6);
  });
});

/** A dnsperf that prints stdout (in small chunks) and stderr, then exits with code. */
function fakeDnsperf(stdout: string, stderr: string, code: number): SpawnFn & { argv?: readonly string[] } {
  const spawnFn: SpawnFn & { argv?: readonly string[] } = (command, args) => {
    spawnFn.argv = [command, ...args];
    const child = Object.assign(new EventEmitter(), {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      kill: () => true,
    });
    setImmediate(() => {
      for (let at = 0; at < stdout.length; at += 50) child.stdout.write(stdout.slice(at, at + 50));
      child.stdout.end();
      child.stderr.end(stderr);
      let open = 2;
      const ended = () => --open === 0 && child.emit('close', code, null);
      child.stdout.on('end', ended);
      child.stderr.on('end', ended);
      child.stderr.resume();
    });
    return child as unknown as ChildProcessWithoutNullStreams;
  };
  return spawnFn;
}

describe('runDnsperf', () => {
  const options = {
    server: '127.0.0.1',
    port: 5399,
    queriesFile: 'queries.txt',
    durationSeconds: 1,
    clients: 1,
    threads: 1,
    timeoutSeconds: 1,
  };

  it("measures: dnsperf's own rate, average and losses, percentiles from the answer lines", async () => {
    const spawnFn = fakeDnsperf(PARTIAL_LOSS_RUN, '', 0);
    const measurement = await runDnsperf(options, spawnFn);
    expect(spawnFn.argv).toEqual(['dnsperf', ...dnsperfArgs({ ...options, verbose: true })]);
    expect(measurement).toEqual({
      throughput: 3.66643,
      latencyAvgMs: expect.closeTo(222.41, 9),
      latencyP50Ms: expect.closeTo(0.247, 1),
      latencyP99Ms: expect.any(Number),
      errors: 1,
      responseCodes: { NOERROR: 6, NXDOMAIN: 5 },
    });
    // The histogram's bucket, within 2.5% of the slowest answer (987.564 ms).
    expect(measurement.latencyP99Ms).toBeGreaterThan(987.564 * 0.975);
    expect(measurement.latencyP99Ms).toBeLessThanOrEqual(987.564);
  });

  it('fails when no query was answered', async () => {
    await expect(runDnsperf(options, fakeDnsperf(DEAD_SERVER_RUN, '', 0))).rejects.toThrow(
      'dnsperf got no answer from 127.0.0.1:5399: all 4 queries lost (timeout 1 s)',
    );
  });

  it('fails with the line of stderr that gives the reason, not the usage after it', async () => {
    const stderr =
      'invalid server address no.such.host.invalid\nUsage: dnsperf [-f family] [-m mode]\n  -f x\n';
    await expect(
      runDnsperf(options, fakeDnsperf('DNS Performance Testing Tool\nVersion 2.10.0\n\n', stderr, 1)),
    ).rejects.toThrow('dnsperf failed (exit code 1): invalid server address no.such.host.invalid');
  });

  it('fails when dnsperf exits without statistics', async () => {
    await expect(runDnsperf(options, fakeDnsperf('DNS Performance Testing Tool\n', '', 0))).rejects.toThrow(
      'dnsperf printed no statistics: DNS Performance Testing Tool',
    );
  });

  it('fails clearly when dnsperf cannot be started', async () => {
    const missing: SpawnFn = () => {
      throw new Error('spawn dnsperf ENOENT');
    };
    await expect(runDnsperf(options, missing)).rejects.toThrow('cannot run dnsperf: spawn dnsperf ENOENT');
  });
});

describe('queriesFromRecords', () => {
  it('writes one absolute name and type per line, without duplicates', () => {
    const records = [
      { name: '@', type: 'SOA' },
      { name: '@', type: 'NS' },
      { name: 'www', type: 'A' },
      { name: 'www', type: 'A' },
      { name: 'www', type: 'aaaa' },
      { name: '_sip._tcp', type: 'SRV' },
      { name: '*.dev', type: 'A' },
      { name: 'mail.example.com.', type: 'MX' },
    ];
    expect(queriesFromRecords('example.com.', records)).toBe(
      [
        'example.com SOA',
        'example.com NS',
        'www.example.com A',
        'www.example.com AAAA',
        '_sip._tcp.example.com SRV',
        '*.dev.example.com A',
        'mail.example.com MX',
        '',
      ].join('\n'),
    );
    expect(queriesFromRecords('example.com', [{ name: 'www', type: 'A' }])).toBe('www.example.com A\n');
  });

  it('handles the root zone and no records', () => {
    expect(
      queriesFromRecords('.', [
        { name: '@', type: 'NS' },
        { name: 'com', type: 'NS' },
      ]),
    ).toBe('. NS\ncom NS\n');
    expect(queriesFromRecords('example.com.', [])).toBe('');
  });
});
