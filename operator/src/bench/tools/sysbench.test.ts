import { describe, expect, it } from '@jest/globals';
import type { RunOptions, RunResult } from '../../guest/channel.js';
import { parseSysbench, runSysbench, sysbenchArgs } from './sysbench.js';

// Real outputs of sysbench 1.0.20.
// cpu --time=1 --threads=1 --percentile=99
const CPU = `sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)

Running the test with following options:
Number of threads: 1
Initializing random number generator from current time


Prime numbers limit: 10000

Initializing worker threads...

Threads started!

CPU speed:
    events per second:  3898.36

General statistics:
    total time:                          1.0003s
    total number of events:              3903

Latency (ms):
         min:                                    0.19
         avg:                                    0.26
         max:                                   24.59
         99th percentile:                        1.67
         sum:                                  998.65

Threads fairness:
    events (avg/stddev):           3903.0000/0.00
    execution time (avg/stddev):   0.9986/0.00

`;
// memory --memory-block-size=1M --memory-total-size=100T --time=1 --threads=1 --percentile=99
const MEMORY = `sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)

Running the test with following options:
Number of threads: 1
Initializing random number generator from current time


Running memory speed test with the following options:
  block size: 1024KiB
  total size: 104857600MiB
  operation: write
  scope: global

Initializing worker threads...

Threads started!

Total operations: 23046 (23025.38 per second)

23046.00 MiB transferred (23025.38 MiB/sec)


General statistics:
    total time:                          1.0001s
    total number of events:              23046

Latency (ms):
         min:                                    0.03
         avg:                                    0.04
         max:                                   17.11
         99th percentile:                        0.10
         sum:                                  994.79

Threads fairness:
    events (avg/stddev):           23046.0000/0.00
    execution time (avg/stddev):   0.9948/0.00

`;
// cpu --time=1 --threads=2 (sysbench's default percentile, 95)
const CPU_P95 = `sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)

Running the test with following options:
Number of threads: 2
Initializing random number generator from current time


Prime numbers limit: 10000

Initializing worker threads...

Threads started!

CPU speed:
    events per second:  5445.21

General statistics:
    total time:                          1.0004s
    total number of events:              5452

Latency (ms):
         min:                                    0.20
         avg:                                    0.37
         max:                                   21.33
         95th percentile:                        0.38
         sum:                                 1993.87

Threads fairness:
    events (avg/stddev):           2726.0000/88.00
    execution time (avg/stddev):   0.9969/0.00

`;

describe('sysbenchArgs', () => {
  it('builds the cpu and memory command lines', () => {
    expect(sysbenchArgs('cpu', { durationSeconds: 10, threads: 2 })).toEqual([
      'cpu',
      '--time=10',
      '--threads=2',
      '--percentile=99',
      'run',
    ]);
    expect(sysbenchArgs('memory', { durationSeconds: 5, threads: 1 })).toEqual([
      'memory',
      '--memory-block-size=1M',
      '--memory-total-size=100T',
      '--time=5',
      '--threads=1',
      '--percentile=99',
      'run',
    ]);
  });
});

describe('parseSysbench', () => {
  it('reads the cpu score in events/s, average and p99 latency', () => {
    expect(parseSysbench('cpu', CPU)).toEqual({
      throughput: 3898.36,
      scoreUnit: 'events/s',
      latencyAvgMs: 0.26,
      latencyP99Ms: 1.67,
      errors: 0,
    });
  });

  it('reads the memory score in MiB/s', () => {
    expect(parseSysbench('memory', MEMORY)).toEqual({
      throughput: 23025.38,
      scoreUnit: 'MiB/s',
      latencyAvgMs: 0.04,
      latencyP99Ms: 0.1,
      errors: 0,
    });
  });

  it('takes no 95th percentile for a 99th', () => {
    expect(parseSysbench('cpu', CPU_P95)).toEqual({
      throughput: 5445.21,
      scoreUnit: 'events/s',
      latencyAvgMs: 0.37,
      errors: 0,
    });
  });

  it("throws when the score is missing (the other kind's output)", () => {
    expect(() => parseSysbench('memory', CPU)).toThrow('sysbench memory printed no score');
  });
});

describe('runSysbench', () => {
  const runner = (result: RunResult) => {
    const calls: { argv: readonly string[]; options?: RunOptions }[] = [];
    return {
      calls,
      run: (argv: readonly string[], options?: RunOptions) => {
        calls.push({ argv, options });
        return Promise.resolve(result);
      },
    };
  };

  it('runs sysbench through the runner, with a timeout beyond the run', async () => {
    const fake = runner({ code: 0, stdout: MEMORY, stderr: '' });
    await expect(runSysbench('memory', { durationSeconds: 1, threads: 1 }, fake)).resolves.toMatchObject({
      throughput: 23025.38,
    });
    expect(fake.calls).toEqual([
      {
        argv: ['sysbench', ...sysbenchArgs('memory', { durationSeconds: 1, threads: 1 })],
        options: { timeoutMs: 61_000 },
      },
    ]);
  });

  it("fails with sysbench's reason", async () => {
    const stdout =
      "sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)\n\nFATAL: Cannot find benchmark 'nosuch': no such built-in test, file or module\n";
    await expect(
      runSysbench('cpu', { durationSeconds: 1, threads: 1 }, runner({ code: 1, stdout, stderr: '' })),
    ).rejects.toThrow("sysbench cpu failed (exit code 1): FATAL: Cannot find benchmark 'nosuch'");
    await expect(
      runSysbench(
        'cpu',
        { durationSeconds: 1, threads: 1 },
        runner({ code: 1, stdout: 'sysbench 1.0.20\n\n', stderr: 'invalid option: --bogus=1' }),
      ),
    ).rejects.toThrow('sysbench cpu failed (exit code 1): invalid option: --bogus=1');
  });
});
