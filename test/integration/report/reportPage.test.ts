import { readFile, mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../../hack/cluster/processes.js';
import { reportHtml } from '../../../operator/src/bench/report/html.js';
import type { ReportInput, ReportTargetResult } from '../../../operator/src/bench/report/model.js';
import { countColor, decodePng, isColor, type DecodedPng } from './png.js';
import { screenshot } from './screenshot.js';

const BLUE: [number, number, number] = [0x25, 0x63, 0xeb];
const GRAY: [number, number, number] = [0x6b, 0x72, 0x80];
const TOLERANCE = 6;

const target = (name: string, kind: string, throughput: number, ratio: number): ReportTargetResult => ({
  target: name,
  kind,
  unit: 'queries/s',
  throughput,
  ratioToBaseline: ratio,
  latencyAvgMs: 1.2 / ratio,
  latencyP50Ms: 1 / ratio,
  latencyP99Ms: 4 / ratio,
  errors: 0,
  relativeStdDev: 0.02,
  samples: 3,
  warmupThroughput: throughput * 0.8,
});

const sample: ReportInput = {
  namespace: 'bench',
  name: 'dns-compare',
  type: 'dns',
  baseline: 'native',
  generatedAt: '2025-06-01T10:06:00Z',
  runs: [
    {
      id: 'run-1',
      phase: 'Succeeded',
      startTime: '2025-06-01T10:00:00Z',
      completionTime: '2025-06-01T10:05:00Z',
      results: [
        target('ns1', 'guestDomain', 41200, 0.87),
        target('ns2', 'guestDomain', 23700, 0.5),
        target('native', 'native', 47400, 1),
      ],
    },
  ],
};

/** Horizontal bands of rows that hold a run of color at least minRun pixels long: each band's longest run. */
function barWidths(png: DecodedPng, color: [number, number, number], minRun = 20): number[] {
  const bands: number[] = [];
  let inBand = false;
  for (let y = 0; y < png.height; y++) {
    let longest = 0;
    for (let x = 0, run = 0; x < png.width; x++) {
      run = isColor(png.pixel(x, y), color, TOLERANCE) ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    if (longest >= minRun) {
      if (inBand) bands.push(Math.max(bands.pop() ?? 0, longest));
      else bands.push(longest);
    }
    inBand = longest >= minRun;
  }
  return bands;
}

describe('the benchmark report page in Chromium', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const page = reportHtml(sample);
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}/benchmarks/bench/dns-compare`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('shows the bars in their colors, longer for the faster target', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'servirt-report-')), 'report.png');
    await screenshot(url, file, { width: 1000, height: 700 });
    console.log(`report screenshot: ${file}`);
    const png = decodePng(await readFile(file));

    expect({ width: png.width, height: png.height }).toEqual({ width: 1000, height: 700 });
    const [red, green, blue] = png.pixel(0, 0);
    const background: [number, number, number] = [red, green, blue];
    let differing = 0;
    for (let y = 0; y < png.height; y += 2) {
      for (let x = 0; x < png.width; x += 2) if (!isColor(png.pixel(x, y), background, 0)) differing++;
    }
    expect(differing).toBeGreaterThan((png.width * png.height) / 4 / 10);

    expect(countColor(png, BLUE, TOLERANCE)).toBeGreaterThan(3000);
    expect(countColor(png, GRAY, TOLERANCE)).toBeGreaterThan(3000);

    const blueBars = barWidths(png, BLUE);
    expect(blueBars).toHaveLength(2);
    const [ns1 = 0, ns2 = 1] = blueBars;
    expect(ns1 / ns2).toBeCloseTo(0.87 / 0.5, 1);
    const [native = 1] = barWidths(png, GRAY, 100);
    expect(ns1 / native).toBeCloseTo(0.87, 1);
  }, 90_000);
});
