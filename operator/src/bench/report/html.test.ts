import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { reportFiles, reportHtml } from './html.js';
import type { ReportInput, ReportRun } from './model.js';

function expectWellFormed(text: string): void {
  expect(() => execFileSync('xmllint', ['--noout', '-'], { input: text, stdio: 'pipe' })).not.toThrow();
}

const latest: ReportRun = {
  id: 'run-2',
  phase: 'Succeeded',
  startTime: '2025-06-01T10:00:00Z',
  completionTime: '2025-06-01T10:05:00Z',
  results: [
    {
      target: 'ns1',
      kind: 'guestDomain',
      unit: 'queries/s',
      throughput: 41200,
      latencyAvgMs: 1.21,
      latencyP50Ms: 1.02,
      latencyP99Ms: 4.8,
      errors: 3,
      ratioToBaseline: 0.87,
      relativeStdDev: 0.021,
      samples: 3,
      warmupThroughput: 30100,
    },
    { target: 'native', kind: 'native', unit: 'queries/s', throughput: 47400, ratioToBaseline: 1 },
    {
      target: '<x>',
      kind: 'url',
      unit: 'queries/s',
      failed: { reason: 'Guest<NotReady>', message: 'no answer from <x> & "y"' },
    },
  ],
};
const older: ReportRun = { id: 'run-1', phase: 'Failed', message: 'it <broke>', results: latest.results };
const input: ReportInput = {
  namespace: 'bench',
  name: 'dns-compare',
  type: 'dns',
  baseline: 'native',
  generatedAt: '2025-06-01T10:06:00Z',
  runs: [latest, older],
};

describe('reportHtml', () => {
  const html = reportHtml(input);

  it('is a complete page without scripts or external resources', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Benchmark bench/dns-compare</title>');
    expect(html).toMatch(/<style>[\s\S]*<\/style>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import/i);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('shows the latest chart inline, a table per run and the history', () => {
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(2);
    svgs.forEach(expectWellFormed);
    expect(html.match(/<table>/g)).toHaveLength(2);
    expect(html.indexOf('Latest run: run-2')).toBeLessThan(html.indexOf('Older runs'));
    expect(html.indexOf('Older runs')).toBeLessThan(html.indexOf('Run run-1'));
    for (const cell of ['41,200 q/s', '1.21', '1.02', '4.80', '>3<', '87%', '2.1%', '30,100', 'baseline']) {
      expect(html).toContain(cell);
    }
    expect(html).toContain('<span class="phase failed">Failed</span>');
  });

  it('escapes target names, reasons and messages', () => {
    expect(html).not.toMatch(/<x>|<NotReady>|<broke>/);
    expect(html).toContain('&lt;x&gt;');
    expect(html).toContain('Guest&lt;NotReady&gt;');
    expect(html).toContain('no answer from &lt;x&gt; &amp; &quot;y&quot;');
    expect(html).toContain('it &lt;broke&gt;');
    const evil = reportHtml({ ...input, namespace: '<ns>', name: '"n"', runs: [] });
    expect(evil).toContain('<title>Benchmark &lt;ns&gt;/&quot;n&quot;</title>');
    expect(evil).not.toContain('<ns>');
  });

  it('says when there are no runs yet', () => {
    const empty = reportHtml({ ...input, runs: [] });
    expect(empty).toContain('No runs yet.');
    expect(empty).not.toContain('<svg');
    expect(empty).not.toContain('<table');
  });

  it('shows percentages of the best target without a baseline', () => {
    const page = reportHtml({ ...input, baseline: undefined, runs: [latest] });
    expect(page).toContain('87% of best');
    expect(page).toContain('no baseline');
    expect(page).not.toContain('History');
  });
});

describe('reportFiles', () => {
  it('holds the page, the latest chart and the input as JSON', () => {
    const files = reportFiles(input);
    expect(Object.keys(files).sort()).toEqual(['chart.svg', 'report.html', 'results.json']);
    expect(files['report.html']).toBe(reportHtml(input));
    expectWellFormed(files['chart.svg']);
    expect(files['chart.svg']).toContain('run run-2');
    expect(JSON.parse(files['results.json'])).toEqual(input);
  });

  it('has a chart that says there are no runs yet', () => {
    const files = reportFiles({ ...input, runs: [] });
    expectWellFormed(files['chart.svg']);
    expect(files['chart.svg']).toContain('No runs yet.');
  });
});
