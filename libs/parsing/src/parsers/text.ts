import type { ParsedDocument } from '../model.js';
import { escapeMarkdownLine, markdownToBlocks } from '../markdown-blocks.js';
import { normalizeNewlines } from '../text-decode.js';
import { emptyContent } from '../errors.js';

/** Plain text: paragraphs split on blank lines; lines escaped so that Markdown does not invent structure. */
export function parseTxt(text: string): ParsedDocument {
  const paragraphs = normalizeNewlines(text)
    .split(/\n[ \t]*\n+/)
    .map((p) => p.replace(/[ \t]+$/gm, '').trim())
    .filter((p) => p.length > 0);
  if (paragraphs.length === 0) throw emptyContent();
  const markdown = paragraphs.map((p) => p.split('\n').map(escapeMarkdownLine).join('  \n')).join('\n\n') + '\n';
  return {
    documentType: 'txt',
    markdown,
    blocks: paragraphs.map((p) => ({ kind: 'paragraph' as const, text: p })),
    meta: {},
    engine: 'builtin',
    degraded: false,
    warnings: [],
  };
}

/** Markdown is already the target format: kept as written (newlines normalized), blocks from the lexer. */
export function parseMd(text: string): ParsedDocument {
  const markdown = normalizeNewlines(text).replace(/^\uFEFF/, '');
  const blocks = markdownToBlocks(markdown);
  if (blocks.length === 0) throw emptyContent();
  return {
    documentType: 'md',
    markdown: markdown.endsWith('\n') ? markdown : markdown + '\n',
    blocks,
    meta: {},
    engine: 'builtin',
    degraded: false,
    warnings: [],
  };
}
