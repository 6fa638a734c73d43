// Domain names as zone files and DnsZone records write them: `@` for the origin, relative names
// completed with the origin, absolute names with a trailing dot. Canonical text is name.ts's.
import { formatName, parseName } from './name.js';

/**
 * The canonical absolute name that `text` means where the current origin is `origin` (canonical):
 * `@` is the origin, names without a trailing dot are relative to it.
 */
export function absoluteName(text: string, origin: string): string {
  if (text === '@') return origin;
  if (text === '.' || endsWithUnescapedDot(text)) return formatName(parseName(text));
  return formatName(parseName(origin === '.' ? `${text}.` : `${text}.${origin}`));
}

/**
 * The labels (canonical text) of canonical `name` in front of canonical `origin`, `[]` for the
 * origin itself, or undefined when the name is not at or below the origin. Compares labels, so
 * `a\.example.com.` is not below `example.com.`.
 */
export function labelsBelow(name: string, origin: string): string[] | undefined {
  const nameLabels = canonicalLabels(name);
  const originLabels = canonicalLabels(origin);
  const prefix = nameLabels.length - originLabels.length;
  if (prefix < 0 || originLabels.some((label, i) => nameLabels[prefix + i] !== label)) return undefined;
  return nameLabels.slice(0, prefix);
}

export function isInside(name: string, origin: string): boolean {
  return labelsBelow(name, origin) !== undefined;
}

function canonicalLabels(name: string): string[] {
  return parseName(name).map((label) => formatName([label]).slice(0, -1));
}

function endsWithUnescapedDot(text: string): boolean {
  const backslashes = /\\*(?=\.$)/.exec(text)?.[0].length;
  return backslashes !== undefined && backslashes % 2 === 0;
}
