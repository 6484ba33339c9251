import TurndownService from 'turndown';
import type { ParsedDocument } from '../model.js';
import { markdownTable, markdownToBlocks } from '../markdown-blocks.js';
import { emptyContent } from '../errors.js';

let service: TurndownService | undefined;

/**
 * One configured converter per process (building the rule set is not free). Tables get our own rule: every
 * table, with or without <th>, must come out as a GFM table whose first row is the header and whose cells are
 * single-line, because chunking and result.json rely on that; the GFM plugins leave header-less tables as HTML.
 */
function turndown(): TurndownService {
  if (service) return service;
  const td = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '*' });
  td.remove(['script', 'style', 'noscript', 'template', 'head', 'iframe', 'object', 'embed', 'svg', 'canvas', 'form' as never]);
  td.addRule('dph-table', {
    filter: 'table',
    replacement: (_content, node) => {
      const rows = tableRows(node as unknown as DomLike);
      return rows.length ? `\n\n${markdownTable(rows)}\n\n` : '';
    },
  });
  td.addRule('dph-image', { filter: 'img', replacement: (_c, node) => ((node as unknown as DomLike).getAttribute?.('alt') ?? '').trim() });
  service = td;
  return td;
}

interface DomLike {
  nodeName: string;
  childNodes: ArrayLike<DomLike>;
  textContent: string | null;
  getAttribute?(name: string): string | null;
}

function tableRows(table: DomLike): string[][] {
  const rows: string[][] = [];
  const visit = (n: DomLike) => {
    for (const c of Array.from(n.childNodes)) {
      const name = c.nodeName.toUpperCase();
      if (name === 'TR') {
        const cells = Array.from(c.childNodes)
          .filter((x) => ['TD', 'TH'].includes(x.nodeName.toUpperCase()))
          .map((x) => (x.textContent ?? '').replace(/\s+/g, ' ').trim());
        if (cells.length) rows.push(cells);
      } else if (['THEAD', 'TBODY', 'TFOOT'].includes(name)) visit(c);
    }
  };
  visit(table);
  return rows;
}

export function htmlToMarkdown(html: string): string {
  return turndown()
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function parseHtml(html: string, documentType: 'html' | 'docx' = 'html'): ParsedDocument {
  const markdown = htmlToMarkdown(html);
  const blocks = markdownToBlocks(markdown);
  if (blocks.length === 0) throw emptyContent();
  return { documentType, markdown: markdown + '\n', blocks, meta: {}, engine: 'builtin', degraded: false, warnings: [] };
}
