import type { Block, ParsedDocument } from '../model.js';
import { escapeMarkdownLine, markdownTable, plain } from '../markdown-blocks.js';
import { emptyContent, parseFailed } from '../errors.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * JSON → readable Markdown for retrieval: an array of flat objects becomes a table, anything else a nested
 * key/value list (one list block per top-level member), scalars a paragraph.
 */
export function parseJson(text: string): ParsedDocument {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    throw parseFailed('JSON could not be parsed', err);
  }
  const blocks: Block[] = [];
  const md: string[] = [];
  if (isRecordArray(value)) {
    const keys = [...new Set(value.flatMap((o) => Object.keys(o)))];
    const rows = [keys, ...value.map((o) => keys.map((k) => scalar(o[k])))];
    md.push(markdownTable(rows));
    blocks.push({ kind: 'table', header: true, rows, text: rows.map((r) => r.join(' | ')).join('\n') });
  } else if (value !== null && typeof value === 'object') {
    const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    for (const [k, v] of entries) {
      if (v !== null && typeof v === 'object') {
        const lines = listLines(v, 0);
        md.push(`- **${escapeMarkdownLine(k)}**\n${lines.map((l) => '  ' + l).join('\n')}`);
        const items = [k, ...lines.map((l) => plain(l.replace(/^\s*- /, '')))];
        blocks.push({ kind: 'list', ordered: false, items, text: items.join('\n') });
      } else {
        md.push(`- **${escapeMarkdownLine(k)}**: ${escapeMarkdownLine(scalar(v))}`);
        blocks.push({ kind: 'list', ordered: false, items: [`${k}: ${scalar(v)}`], text: `${k}: ${scalar(v)}` });
      }
    }
  } else if (value !== null && String(value).trim() !== '') {
    md.push(escapeMarkdownLine(String(value)));
    blocks.push({ kind: 'paragraph', text: String(value) });
  }
  if (blocks.length === 0) throw emptyContent();
  return { documentType: 'json', markdown: md.join('\n\n') + '\n', blocks, meta: {}, engine: 'builtin', degraded: false, warnings: [] };
}

function isRecordArray(v: Json): v is { [k: string]: Json }[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((o) => o !== null && typeof o === 'object' && !Array.isArray(o) && Object.values(o).every((x) => x === null || typeof x !== 'object'))
  );
}

function scalar(v: Json | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function listLines(v: Json, depth: number): string[] {
  if (depth > 20) return ['- …'];
  const entries: [string, Json][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v as object);
  const out: string[] = [];
  for (const [k, x] of entries) {
    const label = Array.isArray(v) ? '' : `**${escapeMarkdownLine(k)}**`;
    if (x !== null && typeof x === 'object') {
      out.push(`- ${label || '·'}`);
      out.push(...listLines(x, depth + 1).map((l) => '  ' + l));
    } else {
      out.push(`- ${label ? label + ': ' : ''}${escapeMarkdownLine(scalar(x))}`);
    }
  }
  return out;
}
