import { barChartSvg } from './barChart.js';
import { escapeXml as e, formatNumber, formatPercent, runRatios, shortUnit } from './format.js';
import { historySvg } from './historyChart.js';
import type { ReportInput, ReportRun } from './model.js';

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; background: #f9fafb; color: #111827;
    font: 14px/1.45 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; }
  *, *::before, *::after { box-sizing: border-box; }
  main { max-width: 1000px; margin: 0 auto; padding: 16px 10px 40px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 17px; margin: 28px 0 4px; }
  h3 { font-size: 15px; margin: 22px 0 4px; }
  .meta { color: #4b5563; margin: 0 0 8px; font-size: 13px; }
  .meta span + span::before { content: ' · '; }
  .message { margin: 4px 0 8px; padding: 6px 10px; background: #fffbeb; border-left: 3px solid #d97706; }
  .phase { font-size: 12px; font-weight: normal; padding: 1px 8px; border-radius: 9px; margin-left: 6px;
    background: #e5e7eb; color: #374151; vertical-align: 2px; }
  .phase.succeeded { background: #dcfce7; color: #166534; }
  .phase.failed { background: #fee2e2; color: #991b1b; }
  figure { margin: 8px 0 12px; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px;
    overflow-x: auto; }
  figure svg { display: block; max-width: 100%; height: auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px;
    border: 1px solid #e5e7eb; }
  th, td { padding: 5px 6px; border-bottom: 1px solid #e5e7eb; text-align: left; white-space: nowrap; }
  th { background: #f3f4f6; font-weight: 600; color: #374151; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.baseline td:first-child { font-weight: bold; }
  td.failed { color: #b91c1c; }
  tr.detail td { color: #b91c1c; white-space: normal; font-size: 12px; padding-top: 0; }
  tr.has-detail td { border-bottom: none; }
  .empty { padding: 24px; background: #fff; border: 1px dashed #d1d5db; color: #4b5563; text-align: center; }
`;

const COLUMNS = [
  ['Target', ''],
  ['Kind', ''],
  ['Throughput', 'num'],
  ['± RSD', 'num'],
  ['Samples', 'num'],
  ['Avg ms', 'num'],
  ['p50 ms', 'num'],
  ['p99 ms', 'num'],
  ['Errors', 'num'],
  ['Ratio', 'num'],
  ['Warm-up', 'num'],
  ['Status', ''],
] as const;

/** Counts (errors, samples) as whole numbers. */
function formatCount(value: number | undefined): string {
  return formatNumber(value, 0);
}

function phaseBadge(phase: string): string {
  const kind = phase === 'Succeeded' ? ' succeeded' : phase === 'Failed' ? ' failed' : '';
  return `<span class="phase${kind}">${e(phase)}</span>`;
}

function runMeta(run: ReportRun): string {
  const items = [
    run.startTime && `started ${e(run.startTime)}`,
    run.completionTime && `completed ${e(run.completionTime)}`,
    `${run.results.length} target${run.results.length === 1 ? '' : 's'}`,
  ].filter(Boolean);
  const message = run.message ? `\n<p class="message">${e(run.message)}</p>` : '';
  return `<p class="meta">${items.map((item) => `<span>${item}</span>`).join('')}</p>${message}`;
}

/** One run's results as a table. */
export function runTable(run: ReportRun, baseline?: string): string {
  const { relativeTo, ratios } = runRatios(run, baseline);
  const head = COLUMNS.map(([label, cls]) => `<th${cls ? ` class="${cls}"` : ''}>${e(label)}</th>`).join('');
  const rows = run.results.map((r, i) => {
    const unit = e(shortUnit(r.unit));
    const isBaseline = r.target === baseline;
    const withUnit = (v: number | undefined) => (v === undefined ? '–' : `${formatNumber(v)} ${unit}`);
    const ratio = r.failed
      ? '–'
      : isBaseline && relativeTo === 'baseline'
        ? 'baseline'
        : relativeTo === 'baseline'
          ? formatPercent(ratios[i])
          : `${formatPercent(ratios[i])}${ratios[i] === undefined ? '' : ' of best'}`;
    const status = r.failed ? `<td class="failed">${e(r.failed.reason)}</td>` : '<td>ok</td>';
    const cells = [
      `<td>${e(r.target)}</td>`,
      `<td>${e(r.kind)}</td>`,
      `<td class="num">${withUnit(r.throughput)}</td>`,
      `<td class="num">${r.relativeStdDev === undefined ? '–' : `${(r.relativeStdDev * 100).toFixed(1)}%`}</td>`,
      `<td class="num">${formatCount(r.samples)}</td>`,
      `<td class="num">${formatNumber(r.latencyAvgMs)}</td>`,
      `<td class="num">${formatNumber(r.latencyP50Ms)}</td>`,
      `<td class="num">${formatNumber(r.latencyP99Ms)}</td>`,
      `<td class="num">${formatCount(r.errors)}</td>`,
      `<td class="num">${ratio}</td>`,
      `<td class="num">${formatNumber(r.warmupThroughput)}</td>`,
      status,
    ];
    const classes = [isBaseline && 'baseline', r.failed?.message && 'has-detail'].filter(Boolean).join(' ');
    const row = `<tr${classes ? ` class="${classes}"` : ''}>${cells.join('')}</tr>`;
    return r.failed?.message
      ? `${row}\n<tr class="detail"><td colspan="${COLUMNS.length}">${e(r.failed.message)}</td></tr>`
      : row;
  });
  if (rows.length === 0) rows.push(`<tr><td colspan="${COLUMNS.length}">No results in this run.</td></tr>`);
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function chartTitle(input: ReportInput, run: ReportRun): string {
  return `${input.type.toUpperCase()} benchmark ${input.namespace}/${input.name}, run ${run.id}`;
}

/** A complete HTML page: the latest run's chart and table, the history and the older runs' tables. */
export function reportHtml(input: ReportInput): string {
  const title = `Benchmark ${input.namespace}/${input.name}`;
  const meta = [
    `type ${e(input.type)}`,
    input.baseline ? `baseline ${e(input.baseline)}` : 'no baseline',
    `generated ${e(input.generatedAt)}`,
  ];
  const body: string[] = [
    `<h1>${e(title)}</h1>`,
    `<p class="meta">${meta.map((item) => `<span>${item}</span>`).join('')}</p>`,
  ];
  const [latest, ...older] = input.runs;
  if (!latest) {
    body.push('<p class="empty">No runs yet.</p>');
  } else {
    body.push(
      `<section>\n<h2>Latest run: ${e(latest.id)}${phaseBadge(latest.phase)}</h2>`,
      runMeta(latest),
      `<figure>\n${barChartSvg(latest, { baseline: input.baseline, title: chartTitle(input, latest) })}</figure>`,
      runTable(latest, input.baseline),
      '</section>',
    );
    const history = historySvg(input.runs, input.baseline);
    if (history) body.push(`<section>\n<h2>History</h2>\n<figure>\n${history}</figure>\n</section>`);
    if (older.length > 0) {
      body.push('<section>\n<h2>Older runs</h2>');
      for (const run of older) {
        body.push(
          `<h3>Run ${e(run.id)}${phaseBadge(run.phase)}</h3>`,
          runMeta(run),
          runTable(run, input.baseline),
        );
      }
      body.push('</section>');
    }
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The report ConfigMap's data: the page, the latest run's chart alone and the input as JSON. */
export function reportFiles(input: ReportInput): {
  'report.html': string;
  'chart.svg': string;
  'results.json': string;
} {
  const latest = input.runs[0] ?? { id: 'none', phase: 'Pending', results: [] };
  const title = input.runs[0]
    ? chartTitle(input, latest)
    : `Benchmark ${input.namespace}/${input.name}: no runs yet`;
  return {
    'report.html': reportHtml(input),
    'chart.svg': barChartSvg(latest, { baseline: input.baseline, title, emptyText: 'No runs yet.' }),
    'results.json': `${JSON.stringify(input, null, 2)}\n`,
  };
}
