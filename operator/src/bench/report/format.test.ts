import { describe, expect, it } from '@jest/globals';
import { escapeXml, formatNumber, formatPercent, runRatios, ticks, truncate } from './format.js';

describe('report formatting', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });

  it('formats numbers without a locale', () => {
    expect(formatNumber(41200)).toBe('41,200');
    expect(formatNumber(1234567.8)).toBe('1,234,568');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(0.5)).toBe('0.50');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-2500)).toBe('-2,500');
    expect(formatNumber(3, 0)).toBe('3');
    expect(formatNumber(undefined)).toBe('–');
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(formatPercent(0.874)).toBe('87%');
  });

  it('truncates long names with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('chooses round ticks', () => {
    expect(ticks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(1.5)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5]);
    expect(ticks(42000)).toEqual([0, 10000, 20000, 30000, 40000, 50000]);
  });

  it('takes ratios from the status, else from the throughputs', () => {
    const run = {
      id: 'r',
      phase: 'Succeeded',
      results: [
        { target: 'a', kind: 'native', unit: 'MiB/s', throughput: 50, ratioToBaseline: 0.4 },
        { target: 'b', kind: 'native', unit: 'MiB/s', throughput: 50 },
        { target: 'c', kind: 'native', unit: 'MiB/s', failed: { reason: 'R', message: 'm' } },
        { target: 'base', kind: 'native', unit: 'MiB/s', throughput: 100 },
      ],
    };
    expect(runRatios(run, 'base')).toEqual({ relativeTo: 'baseline', ratios: [0.4, 0.5, undefined, 1] });
    expect(runRatios(run)).toEqual({ relativeTo: 'best', ratios: [0.5, 0.5, undefined, 1] });
  });
});
