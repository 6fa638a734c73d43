import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { BAR_COLOR, BASELINE_COLOR, barChartSvg } from './barChart.js';
import { historySvg } from './historyChart.js';
import type { ReportRun, ReportTargetResult } from './model.js';

/** Throws (with xmllint's message) unless text is well-formed XML. */
function expectWellFormed(text: string): void {
  expect(() => execFileSync('xmllint', ['--noout', '-'], { input: text, stdio: 'pipe' })).not.toThrow();
}

const result = (target: string, throughput: number, extra: Partial<ReportTargetResult> = {}) => ({
  target,
  kind: 'guestDomain',
  unit: 'queries/s',
  throughput,
  ...extra,
});

const run = (results: ReportTargetResult[], id = 'run-1'): ReportRun => ({ id, phase: 'Succeeded', results });

const sample = run([
  result('ns1', 41200, { ratioToBaseline: 0.87 }),
  result('ns2', 23700, { ratioToBaseline: 0.5 }),
  result('native', 47400, { kind: 'native', ratioToBaseline: 1 }),
]);

/** The bars' widths by fill color, top to bottom. */
function bars(svg: string): { width: number; fill: string }[] {
  return [
    ...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="\d+" fill="(#[0-9a-f]{6})"/g),
  ].map((m) => ({ width: Number(m[1]), fill: m[2] ?? '' }));
}

function dashedLineX(svg: string): number | undefined {
  const match = /<line x1="([\d.]+)"[^>]*stroke-dasharray/.exec(svg);
  return match ? Number(match[1]) : undefined;
}

describe('barChartSvg', () => {
  it('is a standalone, well-formed SVG', () => {
    const svg = barChartSvg(sample, { baseline: 'native', title: 'DNS bench/compare' });
    expectWellFormed(svg);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 960 \d+" width="960" height="\d+"/,
    );
    expect(svg).not.toMatch(/<script|<style|href=|url\(|@import/);
    expect(svg).toContain('<title>DNS bench/compare</title>');
  });

  it('draws bars proportional to the ratios, the baseline in gray, and a dashed line at 100%', () => {
    const svg = barChartSvg(sample, { baseline: 'native', title: 't' });
    expect(bars(svg).map((bar) => bar.fill)).toEqual([BAR_COLOR, BAR_COLOR, BASELINE_COLOR]);
    const [ns1 = 0, ns2 = 0, native = 0] = bars(svg).map((bar) => bar.width);
    expect(ns1 / native).toBeCloseTo(0.87, 2);
    expect(ns2 / native).toBeCloseTo(0.5, 2);
    expect(dashedLineX(svg)).toBeCloseTo(212 + native, 0);
    expect(svg).toContain('41,200 q/s');
    expect(svg).toContain('>87%<');
    expect(svg).toContain('>baseline<');
    expect(svg).toContain('relative to the baseline native (100%)');
  });

  it('computes ratios from the throughput when the status has none, and widens the axis beyond 100%', () => {
    const svg = barChartSvg(run([result('fast', 300), result('base', 200)]), {
      baseline: 'base',
      title: 't',
    });
    const [fast = 0, base = 1] = bars(svg).map((bar) => bar.width);
    expect(fast / base).toBeCloseTo(1.5, 2);
    expect(svg).toContain('>150%<');
    expect(dashedLineX(svg)).toBeCloseTo(212 + base, 0);
  });

  it('without a baseline draws bars relative to the best target and no dashed line', () => {
    const svg = barChartSvg(run([result('a', 100), result('b', 400), result('c', 200)]), { title: 't' });
    const [a = 0, b = 1, c = 0] = bars(svg).map((bar) => bar.width);
    expect(a / b).toBeCloseTo(0.25, 2);
    expect(c / b).toBeCloseTo(0.5, 2);
    expect(bars(svg).every((bar) => bar.fill === BAR_COLOR)).toBe(true);
    expect(dashedLineX(svg)).toBeUndefined();
    expect(svg).toContain('relative to the best target');
  });

  it('falls back to the best target when the baseline failed', () => {
    const failedBaseline = result('native', 0, { failed: { reason: 'NoAnswers', message: 'none' } });
    const svg = barChartSvg(run([result('a', 50), result('b', 100), failedBaseline]), {
      baseline: 'native',
      title: 't',
    });
    expect(bars(svg).map((bar) => bar.width)).toEqual([260, 520]);
    expect(dashedLineX(svg)).toBeUndefined();
    expect(svg).toContain('The baseline native has no result');
  });

  it('labels a failed target and draws no bar for it', () => {
    const failed = {
      target: 'ns3',
      kind: 'address',
      unit: 'queries/s',
      failed: { reason: 'GuestNotReady', message: 'down' },
    };
    const svg = barChartSvg(run([result('ns1', 10), failed, result('native', 20)]), {
      baseline: 'native',
      title: 't',
    });
    expect(bars(svg)).toHaveLength(2);
    expect(svg).toContain('failed: GuestNotReady');
    expect(svg).toContain('<title>down</title>');
    expectWellFormed(svg);
  });

  it('escapes target names, reasons, messages and the title', () => {
    const evil = '<x>&"\'';
    const svg = barChartSvg(
      run([
        result(evil, 10),
        {
          target: '<y/>',
          kind: 'url',
          unit: 'requests/s',
          failed: { reason: '<script>', message: '</svg>' },
        },
      ]),
      { baseline: evil, title: '<title>' },
    );
    expectWellFormed(svg);
    expect(svg).not.toMatch(/<x>|<y\/>|<script>|<\/svg>[\s\S]*<\/svg>/);
    expect(svg).toContain('&lt;x&gt;&amp;&quot;&apos;');
    expect(svg).toContain('failed: &lt;script&gt;');
  });

  it('says so for a run without results', () => {
    const svg = barChartSvg(run([]), { title: 'empty', emptyText: 'No runs yet.' });
    expectWellFormed(svg);
    expect(svg).toContain('No runs yet.');
    expect(bars(svg)).toEqual([]);
  });

  it('is deterministic', () => {
    const options = { baseline: 'native', title: 't' };
    expect(barChartSvg(sample, options)).toBe(barChartSvg(structuredClone(sample), options));
  });
});

describe('historySvg', () => {
  const runs = [sample, run([result('ns1', 30000), result('ns2', 20000), result('native', 40000)], 'run-0')];

  it('is empty for fewer than two runs', () => {
    expect(historySvg([sample], 'native')).toBe('');
    expect(historySvg([], undefined)).toBe('');
  });

  it('draws one line per target but the baseline, oldest run left', () => {
    const svg = historySvg(runs, 'native');
    expectWellFormed(svg);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.indexOf('>run-0<')).toBeLessThan(svg.indexOf('>run-1<'));
    expect(svg).toContain('stroke-dasharray');
    expect(svg).not.toContain(BAR_COLOR);
  });

  it('plots throughput without a baseline and escapes names', () => {
    const svg = historySvg([run([result('<x>', 5)]), run([result('<x>', 7)])], undefined);
    expectWellFormed(svg);
    expect(svg).toContain('Throughput (q/s), per run');
    expect(svg).not.toContain('<x>');
    expect(svg).not.toContain('stroke-dasharray');
  });
});
