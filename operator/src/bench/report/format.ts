import type { ReportRun } from './model.js';

/** Escapes text for XML and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/**
 * 41200 → "41,200", 12.345 → "12.3", 0.5 → "0.50" (or as many decimals as given); the same on every
 * machine (no locale).
 */
export function formatNumber(value: number | undefined, decimals?: number): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const digits = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : value === 0 ? 0 : 2);
  const [whole = '0', fraction] = Math.abs(value).toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** 'queries/s' → 'q/s', 'requests/s' → 'req/s'; other units as they are. */
export function shortUnit(unit: string): string {
  return ({ 'queries/s': 'q/s', 'requests/s': 'req/s' } as Record<string, string>)[unit] ?? unit;
}

export function formatPercent(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '–' : `${Math.round(ratio * 100)}%`;
}

/** Cuts long text to max characters, ending in an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** An SVG coordinate with at most one decimal, so that output stays short and stable. */
export function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Tick positions from 0 to at least max, at most about 6 of them, at round steps. */
export function ticks(max: number): number[] {
  const magnitude = 10 ** Math.floor(Math.log10(max > 0 ? max : 1));
  const steps = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10].map((s) => s * magnitude);
  const step = steps.find((s) => max / s <= 6) ?? 10 * magnitude;
  const count = Math.ceil(max / step - 1e-9);
  return Array.from({ length: count + 1 }, (_, i) => Math.round(i * step * 1e6) / 1e6);
}

export interface RunRatios {
  /** 'baseline' when the baseline target has a throughput in this run, else 'best'. */
  relativeTo: 'baseline' | 'best';
  /** Per result (same order as run.results): the throughput's ratio, or undefined (failed, no value). */
  ratios: (number | undefined)[];
}

/** Each target's throughput relative to the baseline, or to the best target when there is no baseline. */
export function runRatios(run: ReportRun, baseline?: string): RunRatios {
  const values = run.results.map((r) =>
    !r.failed && r.throughput !== undefined && Number.isFinite(r.throughput) ? r.throughput : undefined,
  );
  const baseIndex = run.results.findIndex((r, i) => r.target === baseline && (values[i] ?? 0) > 0);
  const baseValue = values[baseIndex];
  if (baseValue !== undefined) {
    const ratios = values.map((value, i) =>
      i === baseIndex
        ? 1
        : value === undefined
          ? undefined
          : (run.results[i]?.ratioToBaseline ?? value / baseValue),
    );
    return { relativeTo: 'baseline', ratios };
  }
  const best = Math.max(0, ...values.map((value) => value ?? 0));
  const ratios = values.map((value) => (value === undefined || best <= 0 ? undefined : value / best));
  return { relativeTo: 'best', ratios };
}
