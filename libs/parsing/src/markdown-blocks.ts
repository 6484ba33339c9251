import { Lexer, type Token, type Tokens } from 'marked';
import type { Block } from './model.js';

/** Page markers the PDF and PPTX parsers put into result.md; chunking reads them for page ranges. */
export const PAGE_MARKER = /^<!-- page: (\d+) -->$/;
export const pageMarker = (page: number): string => `<!-- page: ${page} -->`;

/** Markdown → result.json blocks, via marked's lexer (GFM tables included). */
export function markdownToBlocks(markdown: string, extra: Partial<Block> = {}): Block[] {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  const blocks: Block[] = [];
  let page: number | undefined = extra.page;
  const walk = (list: Token[]) => {
    for (const t of list) {
      const b = tokenToBlock(t);
      if (b === 'page') {
        page = Number(PAGE_MARKER.exec(t.raw.trim())![1]);
        continue;
      }
      if (b === 'container') {
        walk((t as Tokens.Blockquote).tokens);
        continue;
      }
      if (!b) continue;
      const withPage = page === undefined ? b : { ...b, page };
      blocks.push({ ...extra, ...withPage });
    }
  };
  walk(tokens);
  return blocks;
}

function tokenToBlock(t: Token): Block | 'page' | 'container' | null {
  switch (t.type) {
    case 'heading': {
      const h = t as Tokens.Heading;
      return { kind: 'heading', level: h.depth, text: plain(h.text) };
    }
    case 'paragraph':
    case 'text':
      return nonEmpty({ kind: 'paragraph', text: plain((t as Tokens.Paragraph).text) });
    case 'list': {
      const l = t as Tokens.List;
      const items = l.items.map((i) => plain(i.text));
      return { kind: 'list', ordered: l.ordered, items, text: items.join('\n') };
    }
    case 'table': {
      const tb = t as Tokens.Table;
      const rows = [tb.header.map((c) => plain(c.text)), ...tb.rows.map((r) => r.map((c) => plain(c.text)))];
      return { kind: 'table', header: true, rows, text: rows.map((r) => r.join(' | ')).join('\n') };
    }
    case 'code': {
      const c = t as Tokens.Code;
      return { kind: 'code', text: c.text, ...(c.lang ? { language: c.lang } : {}) };
    }
    case 'blockquote':
      return 'container';
    case 'html':
      if (PAGE_MARKER.test(t.raw.trim())) return 'page';
      return nonEmpty({ kind: 'paragraph', text: plain(t.raw.replace(/<[^>]+>/g, ' ')) });
    default:
      return null; // space, hr, def
  }
}

function nonEmpty(b: Block): Block | null {
  return b.text.trim().length > 0 ? b : null;
}

/** Inline Markdown → plain text: link text kept, emphasis and code marks dropped, escapes resolved. */
export function plain(s: string): string {
  return s
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=$|[^\w*])/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();
}

/** Escapes a plain-text line so Markdown does not read it as structure. */
export function escapeMarkdownLine(line: string): string {
  return line
    .replace(/([\\`*_[\]<>|])/g, '\\$1')
    .replace(/^(\s*)([#>+-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** One GFM table from rows of cells; the first row is the header. */
export function markdownTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((r) => r.length), 1);
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>').trim();
  const line = (r: string[]) => '| ' + Array.from({ length: width }, (_, i) => cell(r[i] ?? '')).join(' | ') + ' |';
  const [head, ...body] = rows;
  return [line(head!), '|' + ' --- |'.repeat(width), ...body.map(line)].join('\n');
}
