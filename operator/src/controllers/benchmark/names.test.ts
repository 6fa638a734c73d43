import { describe, expect, it } from '@jest/globals';
import { jobName, runIdFor } from './names.js';

describe('benchmark object names', () => {
  it('makes run ids from the start time', () => {
    expect(runIdFor(new Date('2026-11-27T14:05:12.345Z'))).toBe('20261127-140512');
  });
  it('keeps Job names within 63 characters, distinct for distinct benchmarks', () => {
    const long = 'a'.repeat(60);
    const a = jobName(long, '20261127-140512', 20);
    const b = jobName(`${'a'.repeat(59)}b`, '20261127-140512', 20);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(jobName('dns', '20261127-140512', 1)).toBe('dns-20261127-140512-1');
  });
});
