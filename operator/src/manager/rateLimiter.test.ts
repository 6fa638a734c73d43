import { KeyedBackoff } from './rateLimiter.js';

describe('KeyedBackoff', () => {
  it('doubles the delay per failure from 1 s and caps it at 5 min', () => {
    const backoff = new KeyedBackoff(undefined, () => 0);
    const delays = Array.from({ length: 11 }, () => backoff.when('ns/a'));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
    expect(backoff.failures('ns/a')).toBe(11);
  });

  it('keeps keys apart and forgets a key after success', () => {
    const backoff = new KeyedBackoff(undefined, () => 0);
    backoff.when('ns/a');
    backoff.when('ns/a');
    expect(backoff.when('ns/b')).toBe(1000);
    backoff.forget('ns/a');
    expect(backoff.failures('ns/a')).toBe(0);
    expect(backoff.when('ns/a')).toBe(1000);
  });

  it('slows every key down once the overall bucket is empty', () => {
    let now = 0;
    const backoff = new KeyedBackoff({ baseDelayMs: 1, maxDelayMs: 1000, qps: 10, burst: 2 }, () => now);
    expect(backoff.when('a')).toBe(1);
    expect(backoff.when('b')).toBe(1);
    expect(backoff.when('c')).toBe(100);
    expect(backoff.when('d')).toBe(200);
    now = 1000;
    expect(backoff.when('e')).toBe(1);
  });
});
