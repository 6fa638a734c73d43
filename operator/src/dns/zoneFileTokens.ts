// Splits a master file (RFC 1035 §5.1) into entries: one per line, or more lines held together by
// parentheses. Comments start at `;`; quoted strings may hold spaces, `;` and parentheses but, as in
// BIND, no line break. Token text keeps its backslash escapes; quotes are removed.

/** A problem in a zone file; `line` is where the entry with the problem starts (1-based). */
export class ZoneFileError extends Error {
  constructor(
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? reason : `line ${line}: ${reason}`);
    this.name = 'ZoneFileError';
  }
}

export interface ZoneToken {
  text: string;
  quoted: boolean;
}

export interface ZoneEntry {
  line: number;
  /** The entry's line starts with a space or tab: the owner is the previous record's. */
  ownerBlank: boolean;
  tokens: ZoneToken[];
}

const DELIMITERS = new Set([' ', '\t', '\r', '\n', ';', '(', ')']);

export function tokenizeZoneFile(text: string): ZoneEntry[] {
  const entries: ZoneEntry[] = [];
  let line = 1;
  let lineStart = 0;
  let openedAt: number | undefined;
  let entry: ZoneEntry | undefined;
  const current = (): ZoneEntry => {
    entry ??= { line, ownerBlank: text[lineStart] === ' ' || text[lineStart] === '\t', tokens: [] };
    return entry;
  };
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '\n') {
      if (openedAt === undefined && entry) {
        if (entry.tokens.length > 0) entries.push(entry);
        entry = undefined;
      }
      line += 1;
      lineStart = ++i;
    } else if (char === ' ' || char === '\t' || char === '\r') {
      i += 1;
    } else if (char === ';') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (char === '(') {
      if (openedAt !== undefined)
        throw new ZoneFileError(line, `nested parenthesis; the one of line ${openedAt} is open`);
      current();
      openedAt = line;
      i += 1;
    } else if (char === ')') {
      if (openedAt === undefined) throw new ZoneFileError(line, 'closing parenthesis without an opening one');
      openedAt = undefined;
      i += 1;
    } else if (char === '"') {
      const end = quotedEnd(text, i + 1, line);
      current().tokens.push({ text: text.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && !DELIMITERS.has(text.charAt(i))) {
        if (text[i] === '\\') {
          if (i + 1 >= text.length || text[i + 1] === '\n')
            throw new ZoneFileError(line, 'a backslash ends the line');
          i += 1;
        }
        i += 1;
      }
      current().tokens.push({ text: text.slice(start, i), quoted: false });
    }
  }
  if (openedAt !== undefined) throw new ZoneFileError(openedAt, 'parenthesis never closed');
  if (entry && entry.tokens.length > 0) entries.push(entry);
  return entries;
}

/** Index of the quote that closes a string starting at `start`. */
function quotedEnd(text: string, start: number, line: number): number {
  for (let i = start; i < text.length; i++) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i;
    if (text[i] === '\n') break;
  }
  throw new ZoneFileError(line, 'unbalanced quotes: a quoted string ends at the line break');
}
