import type { EngineCore } from './engine.js';
import { applyRedactions } from './redact.js';
import type { Finding } from './types.js';

interface Cell {
  start: number;
  end: number;
}

const DELIM_CELL = /^:?-+:?$/;

/** Unescaped pipes split a GFM table row; a leading and a trailing pipe are optional. */
function splitRow(md: string, start: number, end: number): Cell[] {
  const cells: Cell[] = [];
  let s = start;
  let i = start;
  while (i < end && (md[i] === ' ' || md[i] === '\t')) i++;
  if (md[i] === '|') s = i + 1;
  for (i = s; i < end; i++) {
    if (md[i] === '\\') i++;
    else if (md[i] === '|') {
      cells.push({ start: s, end: i });
      s = i + 1;
    }
  }
  if (md.slice(s, end).trim()) cells.push({ start: s, end });
  return cells;
}

function isDelimiterRow(md: string, start: number, end: number): boolean {
  const line = md.slice(start, end);
  if (!line.includes('-')) return false;
  const cells = splitRow(md, start, end);
  return cells.length > 0 && cells.every((c) => DELIM_CELL.test(md.slice(c.start, c.end).trim()));
}

const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

/**
 * Scans Markdown text as a reader sees it. Renderers escape punctuation (`203\.0.113.7` at a line start,
 * `jane\_roe@…`), which would hide a value from the recognizers, so backslash escapes of ASCII punctuation are
 * removed for the scan and the findings are mapped back onto the original text (the span then covers the escapes).
 */
function scanUnescaped(
  core: EngineCore, text: string, column: string, allowed: (f: Finding) => boolean,
): Finding[] {
  if (!text.includes('\\')) return core.scan(text, column, allowed);
  const map: number[] = [];
  let view = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length && ASCII_PUNCT.test(text[i + 1]!)) i++;
    map.push(i);
    view += text[i];
  }
  map.push(text.length);
  return core.scan(view, column, allowed).map((f) => ({ ...f, start: map[f.start]!, end: map[f.end - 1]! + 1 }));
}

// A replacement must not break the row: no pipes, no line breaks.
const escapeCell = (s: string) => s.replaceAll('|', '\\|').replace(/[\r\n]+/g, ' ');

/**
 * Redacts a Markdown document. Text outside tables is scanned as plain text. Table cells are scanned one by one
 * with their column header as context, so a header named in `whitelist_contexts.column` allows its values and a
 * header such as "手机" or "Card number" raises confidence; rows keep their cell count and pipes.
 */
export function redactMarkdownWith(core: EngineCore, md: string): { markdown: string; findings: Finding[] } {
  const lines: Array<[number, number]> = [];
  for (let s = 0; s <= md.length; ) {
    let e = md.indexOf('\n', s);
    if (e < 0) e = md.length;
    lines.push([s, e]);
    s = e + 1;
  }
  const findings: Finding[] = [];
  let proseStart = 0;
  const flushProse = (upTo: number) => {
    if (upTo > proseStart) for (const f of scanUnescaped(core, md.slice(proseStart, upTo), '', () => true)) findings.push({ ...f, start: f.start + proseStart, end: f.end + proseStart });
  };
  for (let li = 0; li < lines.length; li++) {
    const [hs, he] = lines[li]!;
    const next = lines[li + 1];
    if (!md.slice(hs, he).includes('|') || !next || !isDelimiterRow(md, next[0], next[1])) continue;
    const header = splitRow(md, hs, he);
    if (header.length === 0) continue;
    flushProse(hs);
    const names = header.map((c) => md.slice(c.start, c.end).trim().replace(/\*\*|__|`/g, ''));
    const scanCell = (c: Cell, column: string) => {
      const allowed = column ? (f: Finding) => !core.whitelist.columnAllowed(column, f.type) : () => true;
      for (const f of scanUnescaped(core, md.slice(c.start, c.end), column, allowed)) findings.push({ ...f, start: f.start + c.start, end: f.end + c.start });
    };
    for (const c of header) scanCell(c, '');
    let ri = li + 2;
    for (; ri < lines.length; ri++) {
      const [rs, re] = lines[ri]!;
      if (!md.slice(rs, re).includes('|')) break;
      splitRow(md, rs, re).forEach((c, i) => scanCell(c, names[i] ?? ''));
    }
    li = ri - 1;
    proseStart = ri < lines.length ? lines[ri]![0] : md.length;
  }
  flushProse(md.length);
  return { markdown: applyRedactions(md, findings, core.operatorFor, escapeCell), findings };
}
