import { describe, expect, it } from '@jest/globals';
import { parseWrkOutput, wrkArgs, wrkRequests } from './wrk.js';

// Real outputs of wrk 4.1.0 on loopback.
// python3 -m http.server, -c 10 -t 2 -d 2 --timeout 2s.
const PLAIN = `Running 2s test @ http://127.0.0.1:5412/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.48ms    2.60ms  23.28ms   73.88%
    Req/Sec   669.75    254.66     1.11k    60.00%
  Latency Distribution
     50%    3.91ms
     75%    5.61ms
     90%    7.83ms
     99%   13.97ms
  2671 requests in 2.01s, 495.60KB read
Requests/sec:   1331.37
Transfer/sec:    247.03KB
`;
// The same server, a path it does not have: every answer a 404.
const ALL_404 = `Running 1s test @ http://127.0.0.1:5412/missing
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.02ms    5.04ms  40.15ms   93.89%
    Req/Sec     1.27k   271.28     1.55k    60.00%
  Latency Distribution
     50%    2.75ms
     75%    4.51ms
     90%    6.90ms
     99%   30.70ms
  1275 requests in 1.01s, 647.46KB read
  Non-2xx or 3xx responses: 1275
Requests/sec:   1259.01
Transfer/sec:    639.34KB
`;
// node:http answering in microseconds, -H 'Host: www.example.com'.
const MICROSECONDS = `Running 2s test @ http://127.0.0.1:5414/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   791.93us    3.70ms  48.46ms   96.59%
    Req/Sec    30.09k     9.67k   42.43k    60.00%
  Latency Distribution
     50%   40.00us
     75%  106.00us
     90%    1.03ms
     99%   22.36ms
  60752 requests in 2.03s, 7.18MB read
Requests/sec:  29885.06
Transfer/sec:      3.53MB
`;
// A server that resets every 5th request and never answers every 7th.
const READ_ERRORS = `Running 2s test @ http://127.0.0.1:5413/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.28ms    9.48ms  32.14ms   83.72%
    Req/Sec   215.00     63.64   260.00    100.00%
  Latency Distribution
     50%  542.00us
     75%    4.09ms
     90%   16.77ms
     99%   32.14ms
  43 requests in 2.01s, 5.21KB read
  Socket errors: connect 0, read 12, write 0, timeout 0
Requests/sec:     21.44
Transfer/sec:      2.60KB
`;
// Half the answers after 1.2 s, --timeout 1s.
const TIMEOUTS = `Running 3s test @ http://127.0.0.1:5415/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   102.78ms    2.64ms 108.21ms   81.82%
    Req/Sec    10.85      6.01    20.00     61.54%
  Latency Distribution
     50%  101.80ms
     75%  104.09ms
     90%  107.33ms
     99%  108.21ms
  19 requests in 3.01s, 2.30KB read
  Socket errors: connect 0, read 0, write 0, timeout 8
Requests/sec:      6.31
Transfer/sec:     782.96B
`;
// The same server, --timeout 5s: latencies in seconds (with a trailing space).
const SECONDS = `Running 3s test @ http://127.0.0.1:5415/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   541.50ms  567.68ms   1.20s    60.00%
    Req/Sec     6.90      4.04    10.00     80.00%
  Latency Distribution
     50%  103.24ms
     75%    1.20s 
     90%    1.20s 
     99%    1.20s 
  10 requests in 3.01s, 1.21KB read
Requests/sec:      3.33
Transfer/sec:     412.36B
`;
// A server that accepts connections and never answers.
const NO_ANSWER = `Running 2s test @ http://127.0.0.1:5416/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 2.01s, 0.00B read
Requests/sec:      0.00
Transfer/sec:       0.00B
`;
// A server that closes every connection at once.
const ALL_RESET = `Running 1s test @ http://127.0.0.1:5417/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 1.00s, 0.00B read
  Socket errors: connect 0, read 14175, write 0, timeout 0
Requests/sec:      0.00
Transfer/sec:       0.00B
`;

describe('wrkArgs', () => {
  it('always asks for the latency distribution', () => {
    expect(wrkArgs({ url: 'http://192.0.2.1/', connections: 10, threads: 2, durationSeconds: 30 })).toEqual([
      '--latency',
      '-c',
      '10',
      '-t',
      '2',
      '-d',
      '30s',
      'http://192.0.2.1/',
    ]);
  });

  it('adds the timeout and the Host header, the URL last', () => {
    expect(
      wrkArgs({
        url: 'http://192.0.2.1:8080/index.html',
        hostHeader: 'www.example.com',
        connections: 64,
        threads: 4,
        durationSeconds: 10,
        timeoutSeconds: 5,
      }),
    ).toEqual([
      '--latency',
      '-c',
      '64',
      '-t',
      '4',
      '-d',
      '10s',
      '--timeout',
      '5s',
      '-H',
      'Host: www.example.com',
      'http://192.0.2.1:8080/index.html',
    ]);
  });
});

describe('parseWrkOutput', () => {
  it('reads rate, average, p50 and p99 in ms', () => {
    expect(parseWrkOutput(PLAIN)).toEqual({
      throughput: 1331.37,
      latencyAvgMs: 4.48,
      latencyP50Ms: 3.91,
      latencyP99Ms: 13.97,
      errors: 0,
    });
  });

  it('converts µs and s', () => {
    expect(parseWrkOutput(MICROSECONDS)).toEqual({
      throughput: 29885.06,
      latencyAvgMs: expect.closeTo(0.79193, 9),
      latencyP50Ms: expect.closeTo(0.04, 9),
      latencyP99Ms: 22.36,
      errors: 0,
    });
    expect(parseWrkOutput(SECONDS)).toEqual({
      throughput: 3.33,
      latencyAvgMs: 541.5,
      latencyP50Ms: 103.24,
      latencyP99Ms: 1200,
      errors: 0,
    });
  });

  it('counts non-2xx/3xx responses as errors', () => {
    expect(parseWrkOutput(ALL_404)).toMatchObject({ throughput: 1259.01, errors: 1275, latencyP99Ms: 30.7 });
  });

  it('counts socket errors: read errors and timeouts', () => {
    expect(parseWrkOutput(READ_ERRORS)).toMatchObject({ throughput: 21.44, errors: 12, latencyP50Ms: 0.542 });
    expect(parseWrkOutput(TIMEOUTS)).toMatchObject({ throughput: 6.31, errors: 8, latencyAvgMs: 102.78 });
  });

  it('leaves latencies out when no request completed', () => {
    expect(wrkRequests(NO_ANSWER)).toBe(0);
    expect(parseWrkOutput(NO_ANSWER)).toEqual({ throughput: 0, errors: 0 });
    expect(parseWrkOutput(ALL_RESET)).toEqual({ throughput: 0, errors: 14175 });
    expect(wrkRequests(PLAIN)).toBe(2671);
  });

  it('throws without a report', () => {
    expect(() => parseWrkOutput('')).toThrow('wrk printed no "Requests/sec"');
  });
});
