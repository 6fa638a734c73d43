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

/** Fixed colors: the screenshot test looks for them. */
export const BASELINE_COLOR = '#6b7280';
export const BAR_COLOR = '#2563eb';
export const FAILED_COLOR = '#b91c1c';
const TEXT_COLOR = '#111827';
const MUTED_COLOR = '#4b5563';
const GRID_COLOR = '#e5e7eb';
/** A white outline behind text that may cross the dashed baseline line. */
const HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"';
const FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"';

const WIDTH = 960;
const NAME_RIGHT = 200;
const BAR_LEFT = 212;
const BAR_MAX_WIDTH = 520;
const VALUE_RIGHT = 860;
const SHARE_RIGHT = 940;
const TOP = 62;
const ROW = 30;
const BAR_HEIGHT = 18;

export interface BarChartOptions {
  baseline?: string;
  title: string;
  /** Shown when the run has no results; "No results in this run." unless given. */
  emptyText?: string;
}

/**
 * A standalone SVG with one horizontal bar per target: its throughput relative to the baseline (100%, a
 * dashed line), or to the best target when there is no baseline. Failed targets get a label, no bar.
 */
export function barChartSvg(run: ReportRun, options: BarChartOptions): string {
  const { relativeTo, ratios } = runRatios(run, options.baseline);
  const known = ratios.filter((r): r is number => r !== undefined);
  const maxRatio = Math.max(1, ...known);
  const scale = ticks(maxRatio);
  const axisMax = scale[scale.length - 1] ?? 1;
  const x = (ratio: number) => BAR_LEFT + (ratio / axisMax) * BAR_MAX_WIDTH;
  const rowsBottom = TOP + Math.max(1, run.results.length) * ROW;
  const height = rowsBottom + 34;

  const subtitle =
    relativeTo === 'baseline'
      ? `Throughput relative to the baseline ${options.baseline} (100%)`
      : options.baseline
        ? `The baseline ${options.baseline} has no result: throughput relative to the best target`
        : 'Throughput relative to the best target (100%)';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(options.title)}" ${FONT}>`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold" fill="${TEXT_COLOR}">${escapeXml(options.title)}</text>`,
    `<text x="16" y="46" font-size="12" fill="${MUTED_COLOR}">${escapeXml(subtitle)}</text>`,
  ];

  for (const tick of scale) {
    parts.push(
      `<line x1="${c(x(tick))}" y1="${TOP - 4}" x2="${c(x(tick))}" y2="${rowsBottom}" stroke="${GRID_COLOR}" stroke-width="1"/>`,
      `<text x="${c(x(tick))}" y="${rowsBottom + 18}" font-size="11" fill="${MUTED_COLOR}" text-anchor="middle">${formatPercent(tick)}</text>`,
    );
  }
  if (run.results.length === 0) {
    parts.push(
      `<text x="${BAR_LEFT}" y="${TOP + 19}" font-size="13" fill="${MUTED_COLOR}">${escapeXml(options.emptyText ?? 'No results in this run.')}</text>`,
    );
  }

  const bars: string[] = [];
  const labels: string[] = [];
  run.results.forEach((result, index) => {
    const top = TOP + index * ROW;
    const middle = top + ROW / 2;
    const isBaseline = relativeTo === 'baseline' && result.target === options.baseline;
    const ratio = ratios[index];
    labels.push(
      `<g><title>${escapeXml(`${result.target} (${result.kind})`)}</title>`,
      `<text x="${NAME_RIGHT}" y="${c(middle + 4.5)}" font-size="13" fill="${TEXT_COLOR}" text-anchor="end"${isBaseline ? ' font-weight="bold"' : ''}>${escapeXml(truncate(result.target, 26))}</text></g>`,
    );
    if (result.failed) {
      labels.push(
        `<g><title>${escapeXml(result.failed.message)}</title>`,
        `<text x="${BAR_LEFT}" y="${c(middle + 4.5)}" font-size="13" fill="${FAILED_COLOR}" ${HALO}>failed: ${escapeXml(truncate(result.failed.reason, 60))}</text></g>`,
      );
      return;
    }
    if (result.throughput === undefined) {
      labels.push(
        `<text x="${BAR_LEFT}" y="${c(middle + 4.5)}" font-size="13" fill="${MUTED_COLOR}" ${HALO}>no result</text>`,
      );
      return;
    }
    const end = ratio === undefined ? BAR_LEFT : x(ratio);
    if (end > BAR_LEFT) {
      bars.push(
        `<rect x="${BAR_LEFT}" y="${c(middle - BAR_HEIGHT / 2)}" width="${c(end - BAR_LEFT)}" height="${BAR_HEIGHT}" fill="${isBaseline ? BASELINE_COLOR : BAR_COLOR}"/>`,
      );
    }
    const value = `${formatNumber(result.throughput)} ${escapeXml(shortUnit(result.unit))}`;
    const share = isBaseline ? 'baseline' : formatPercent(ratio);
    labels.push(
      `<text x="${VALUE_RIGHT}" y="${c(middle + 4.5)}" font-size="13" fill="${TEXT_COLOR}" text-anchor="end">${value}</text>`,
      `<text x="${SHARE_RIGHT}" y="${c(middle + 4.5)}" font-size="13" fill="${TEXT_COLOR}" text-anchor="end" font-weight="bold">${share}</text>`,
    );
  });
  parts.push(...bars);

  if (relativeTo === 'baseline') {
    parts.push(
      `<line x1="${c(x(1))}" y1="${TOP - 8}" x2="${c(x(1))}" y2="${rowsBottom + 4}" stroke="${TEXT_COLOR}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
  }
  parts.push(...labels, '</svg>');
  return parts.join('\n') + '\n';
}
