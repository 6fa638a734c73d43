import {
  coordinate as c,
  escapeXml,
  formatNumber,
  formatPercent,
  runRatios,
  shortUnit,
  ticks,
  truncate,
} from './format.js';
import type { ReportRun } from './model.js';

/** Line colors, none of them the bar chart's blue or gray, so that the screenshot test can tell them apart. */
const PALETTE = ['#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#92400e'];
const FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"';
const WIDTH = 960;
const LEFT = 70;
const RIGHT = 740;
const TOP = 40;
const BOTTOM = 200;

/**
 * A line chart of each target over the kept runs, oldest left: its ratio to the baseline, or its throughput
 * when there is no baseline. An empty string when there are fewer than two runs.
 */
export function historySvg(runs: ReportRun[], baseline?: string): string {
  if (runs.length < 2) return '';
  const chronological = [...runs].reverse();
  const useRatio = baseline !== undefined;
  const values = chronological.map((run) => {
    const { relativeTo, ratios } = runRatios(run, baseline);
    return new Map(
      run.results.map((result, i): [string, number | undefined] => [
        result.target,
        useRatio
          ? relativeTo === 'baseline'
            ? ratios[i]
            : undefined
          : result.failed
            ? undefined
            : result.throughput,
      ]),
    );
  });
  const targets = [...new Set(chronological.flatMap((run) => run.results.map((r) => r.target)))].filter(
    (target) =>
      (!useRatio || target !== baseline) && values.some((byTarget) => byTarget.get(target) !== undefined),
  );
  const all = values.flatMap((byTarget) =>
    [...byTarget.values()].filter((v): v is number => v !== undefined),
  );
  const scale = ticks(Math.max(useRatio ? 1 : 0, ...all) * 1.05);
  const axisMax = scale[scale.length - 1] || 1;
  const x = (i: number) => LEFT + (i / (chronological.length - 1)) * (RIGHT - LEFT);
  const y = (v: number) => BOTTOM - (v / axisMax) * (BOTTOM - TOP);
  const unit = shortUnit(runs[0]?.results[0]?.unit ?? '');
  const label = (v: number) => (useRatio ? formatPercent(v) : formatNumber(v));
  const title = useRatio ? `Throughput relative to ${baseline}, per run` : `Throughput (${unit}), per run`;

  const height = Math.max(BOTTOM + 30, TOP + targets.length * 20);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(title)}" ${FONT}>`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="14" font-weight="bold" fill="#111827">${escapeXml(title)}</text>`,
  ];
  for (const tick of scale) {
    parts.push(
      `<line x1="${LEFT}" y1="${c(y(tick))}" x2="${RIGHT}" y2="${c(y(tick))}" stroke="#e5e7eb" stroke-width="1"/>`,
      `<text x="${LEFT - 8}" y="${c(y(tick) + 4)}" font-size="11" fill="#4b5563" text-anchor="end">${label(tick)}</text>`,
    );
  }
  chronological.forEach((run, i) => {
    parts.push(
      `<text x="${c(x(i))}" y="${BOTTOM + 18}" font-size="11" fill="#4b5563" text-anchor="middle">${escapeXml(truncate(run.id, 12))}</text>`,
    );
  });
  if (useRatio) {
    parts.push(
      `<line x1="${LEFT}" y1="${c(y(1))}" x2="${RIGHT}" y2="${c(y(1))}" stroke="#111827" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
  }
  targets.forEach((target, t) => {
    const color = PALETTE[t % PALETTE.length] ?? '#000000';
    let path = '';
    let pen = 'M';
    values.forEach((byTarget, i) => {
      const v = byTarget.get(target);
      if (v === undefined) {
        pen = 'M';
        return;
      }
      path += `${pen}${c(x(i))} ${c(y(v))} `;
      pen = 'L';
      parts.push(`<circle cx="${c(x(i))}" cy="${c(y(v))}" r="3" fill="${color}"/>`);
    });
    if (path) parts.push(`<path d="${path.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const legendY = TOP + t * 20;
    parts.push(
      `<line x1="${RIGHT + 24}" y1="${legendY}" x2="${RIGHT + 44}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${RIGHT + 50}" y="${legendY + 4}" font-size="12" fill="#111827">${escapeXml(truncate(target, 22))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
