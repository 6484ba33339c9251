import { Lexer, type Token, type Tokens } from 'marked';
import { DEFAULT_CHUNK_OPTIONS, type Chunk, type ChunkOptions } from './model.js';
import { estimateTokens } from './token-estimate.js';

const PAGE_MARKER = /^<!-- page: (\d+) -->$/;

/** A piece of result.md that is never split further: a block, a piece of an oversized block, or a table row. */
interface Unit {
  start: number;
  end: number;
  kind: 'heading' | 'text' | 'row';
  headingPath: string[];
  page: number | null;
  /** Row units: the table they belong to and its header+separator text. */
  table?: { id: number; header: string };
  /** True for the first row unit of a table: it already holds the header. */
  withHeader?: boolean;
  level?: number;
  /** Code blocks are only cut at line breaks. */
  code?: boolean;
}

interface Draft {
  units: Unit[];
  size: number;
  overlap?: { start: number; end: number } | undefined;
}

/**
 * Markdown- and table-aware chunking of result.md. Units come from marked's block lexer with their offsets in
 * the source; chunks are packed greedily up to maxChars, break at headings, never split a table row, repeat a
 * table's header in every chunk that continues it, and carry a word-aligned text overlap within a section.
 */
export function chunkMarkdown(markdown: string, idPrefix: string, options: Partial<ChunkOptions> = {}): Chunk[] {
  const opts = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  if (opts.maxChars < 16) throw new RangeError('maxChars must be at least 16');
  if (opts.overlapChars < 0 || opts.overlapChars >= opts.maxChars) throw new RangeError('overlapChars must be in [0, maxChars)');
  const units = toUnits(markdown);
  const drafts = pack(units, markdown, opts);
  return drafts.map((d, index) => render(d, index, idPrefix, markdown));
}

function toUnits(md: string): Unit[] {
  const tokens = new Lexer({ gfm: true }).lex(md);
  const units: Unit[] = [];
  const path: string[] = [];
  let page: number | null = null;
  let cursor = 0;
  let tableId = 0;
  for (const t of tokens) {
    let start = md.startsWith(t.raw, cursor) ? cursor : md.indexOf(t.raw, cursor);
    if (start < 0) continue; // the lexer normalized something we cannot locate; skip rather than guess offsets
    cursor = start + t.raw.length;
    // trim surrounding whitespace from the unit's range
    let end = cursor;
    while (start < end && /\s/.test(md[start]!)) start++;
    while (end > start && /\s/.test(md[end - 1]!)) end--;
    if (start >= end || t.type === 'space' || t.type === 'hr' || t.type === 'def') continue;
    if (t.type === 'html' && PAGE_MARKER.test(md.slice(start, end))) {
      page = Number(PAGE_MARKER.exec(md.slice(start, end))![1]);
      continue;
    }
    if (t.type === 'heading') {
      const h = t as Tokens.Heading;
      path.length = Math.min(path.length, h.depth - 1);
      while (path.length < h.depth - 1) path.push('');
      path.push(h.text.trim());
      units.push({ start, end, kind: 'heading', headingPath: path.filter(Boolean), page, level: h.depth });
      continue;
    }
    const headingPath = path.filter(Boolean);
    if (t.type === 'table') {
      units.push(...tableUnits(md, start, end, ++tableId, headingPath, page));
      continue;
    }
    units.push({ start, end, kind: 'text', headingPath, page, code: isCode(t) });
  }
  return units;
}

const isCode = (t: Token) => t.type === 'code';

/** Header + separator + first row form one unit; every further row is its own unit. */
function tableUnits(md: string, start: number, end: number, id: number, headingPath: string[], page: number | null): Unit[] {
  const lines: [number, number][] = [];
  let s = start;
  for (let i = start; i <= end; i++) {
    if (i === end || md[i] === '\n') {
      if (i > s) lines.push([s, i]);
      s = i + 1;
    }
  }
  if (lines.length < 2) return [{ start, end, kind: 'text', headingPath, page }];
  const header = md.slice(lines[0]![0], lines[1]![1]);
  const table = { id, header };
  if (lines.length === 2) return [{ start, end, kind: 'row', headingPath, page, table, withHeader: true }];
  const out: Unit[] = [{ start, end: lines[2]![1], kind: 'row', headingPath, page, table, withHeader: true }];
  for (const [a, b] of lines.slice(3)) out.push({ start: a, end: b, kind: 'row', headingPath, page, table });
  return out;
}

/**
 * Where to cut a block that does not fit into `budget` characters from `s`: the last line break, else sentence
 * end, else space within the budget (code: line breaks only). -1 when no boundary lies in the budget's second
 * half; the caller then starts a fresh chunk or, in one, cuts hard.
 */
function cutPoint(md: string, s: number, budget: number, code: boolean): number {
  const window = md.slice(s, s + budget);
  const half = budget / 2;
  let cut = window.lastIndexOf('\n');
  if (!code && cut < half) {
    const sentence = Math.max(window.lastIndexOf('. '), window.lastIndexOf('。'), window.lastIndexOf('! '), window.lastIndexOf('? '), window.lastIndexOf('；'));
    cut = sentence >= half ? sentence + 1 : window.lastIndexOf(' ');
  }
  return cut >= half ? s + cut : -1;
}

function unitSize(u: Unit): number {
  return u.end - u.start;
}

function pack(units: Unit[], md: string, opts: ChunkOptions): Draft[] {
  const drafts: Draft[] = [];
  let cur: Draft = { units: [], size: 0 };
  const hasBody = () => cur.units.some((x) => x.kind !== 'heading');
  const sep = () => (cur.units.length || cur.overlap ? 2 : 0);
  const flush = (next?: Unit) => {
    const prev = cur;
    if (cur.units.length) drafts.push(cur);
    cur = { units: [], size: 0 };
    if (next?.kind === 'text' && prev.units.length) {
      cur.overlap = overlapOf(prev, md, opts.overlapChars, next);
      if (cur.overlap) cur.size = cur.overlap.end - cur.overlap.start;
    }
  };
  const headerCost = (u: Unit) => (u.kind === 'row' && !u.withHeader && !cur.units.some((x) => x.table?.id === u.table!.id) ? u.table!.header.length + 1 : 0);
  const add = (u: Unit) => {
    cur.size += sep() + headerCost(u) + unitSize(u);
    cur.units.push(u);
  };
  for (const unit of units) {
    if (unit.kind === 'heading' && (unit.level ?? 1) <= (opts.splitHeadingLevel ?? 6) && hasBody()) flush();
    if (unit.kind !== 'text') {
      if (hasBody() && cur.size + sep() + headerCost(unit) + unitSize(unit) > opts.maxChars) flush(unit);
      add(unit);
      continue;
    }
    // Text: fill the current chunk, cutting the block at a boundary where it overflows.
    let u = unit;
    for (;;) {
      const budget = opts.maxChars - cur.size - sep();
      if (unitSize(u) <= budget) {
        add(u);
        break;
      }
      let cut = budget >= 16 ? cutPoint(md, u.start, budget, u.code ?? false) : -1;
      if (cut < 0) {
        if (cur.units.length || cur.overlap) {
          // try again in a fresh chunk; drop the overlap if even that leaves no room for a boundary
          flush(u);
          if (cutPoint(md, u.start, opts.maxChars - cur.size - 2, u.code ?? false) < 0 && unitSize(u) > opts.maxChars - cur.size - 2) {
            cur.overlap = undefined;
            cur.size = 0;
          }
          continue;
        }
        cut = u.start + budget; // no boundary at all: hard cut
      }
      add({ ...u, end: trimEnd(md, u.start, cut) });
      let next = cut;
      while (next < u.end && /\s/.test(md[next]!)) next++;
      u = { ...u, start: next };
      if (u.start >= u.end) break;
      flush(u);
    }
  }
  flush();
  return drafts;
}

function trimEnd(md: string, start: number, end: number): number {
  while (end > start && /\s/.test(md[end - 1]!)) end--;
  return end;
}

/** The tail of the previous chunk's last text unit, at most `n` characters, starting at a word boundary. */
function overlapOf(prev: Draft, md: string, n: number, next: Unit): { start: number; end: number } | undefined {
  if (n === 0) return undefined;
  const last = prev.units[prev.units.length - 1]!;
  if (last.kind !== 'text' || last.headingPath.join('\u0000') !== next.headingPath.join('\u0000')) return undefined;
  let s = Math.max(last.start, last.end - n);
  if (s > last.start) {
    const sp = md.slice(s, last.end).search(/\s/);
    if (sp < 0) return undefined;
    s += sp;
    while (s < last.end && /\s/.test(md[s]!)) s++;
  }
  return s < last.end ? { start: s, end: last.end } : undefined;
}

function render(d: Draft, index: number, idPrefix: string, md: string): Chunk {
  const parts: string[] = [];
  if (d.overlap) parts.push(md.slice(d.overlap.start, d.overlap.end));
  const first = d.units[0]!;
  let text = '';
  let prev: Unit | undefined;
  for (const u of d.units) {
    const slice = md.slice(u.start, u.end);
    if (u.kind === 'row' && prev?.kind === 'row' && prev.table?.id === u.table?.id) text += '\n' + slice;
    else if (u.kind === 'row' && !u.withHeader && prev?.table?.id !== u.table?.id) text += (text ? '\n\n' : '') + u.table!.header + '\n' + slice;
    else text += (text ? '\n\n' : '') + slice;
    prev = u;
  }
  if (parts.length) text = parts[0] + '\n\n' + text;
  const pages = d.units.map((u) => u.page).filter((p): p is number => p !== null);
  const startOffset = d.overlap ? d.overlap.start : first.start;
  const last = d.units[d.units.length - 1]!;
  return {
    id: `${idPrefix}:${index}`,
    index,
    text,
    headingPath: (d.units.find((u) => u.kind !== 'heading') ?? first).headingPath,
    pageRange: pages.length ? { from: Math.min(...pages), to: Math.max(...pages) } : null,
    startOffset,
    endOffset: last.end,
    tokenEstimate: estimateTokens(text),
  };
}
