import { getDocumentProxy } from 'unpdf';
import type { Block, ParsedDocument, ParseLimits } from '../model.js';
import { escapeMarkdownLine, pageMarker } from '../markdown-blocks.js';
import { parseFailed } from '../errors.js';

interface TextItem {
  str: string;
  hasEOL?: boolean;
  transform?: number[];
  height?: number;
}

export interface PdfText {
  /** Paragraphs per page (index 0 = page 1). */
  pages: string[][];
  pageCount: number;
  truncated: boolean;
}

/**
 * Reads the text layer page by page through unpdf's bundled pdf.js (it polyfills what Node 20 lacks, e.g.
 * Promise.withResolvers). Lines come from the items' end-of-line flags; a vertical gap larger than 1.5 lines
 * starts a new paragraph.
 */
export async function readPdfText(bytes: Uint8Array, limits: ParseLimits): Promise<PdfText> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, stopAtErrors: false, verbosity: 0 } as never);
  } catch (err) {
    throw parseFailed('PDF could not be opened', err);
  }
  try {
    const count = Math.min(pdf.numPages, limits.pdfMaxPages);
    const pages: string[][] = [];
    for (let i = 1; i <= count; i++) {
      const page = await pdf.getPage(i);
      const content = await page.getTextContent();
      pages.push(paragraphsOf(content.items as TextItem[]));
      page.cleanup();
    }
    return { pages, pageCount: pdf.numPages, truncated: pdf.numPages > count };
  } catch (err) {
    throw parseFailed('PDF text layer could not be read', err);
  } finally {
    void pdf.destroy();
  }
}

function paragraphsOf(items: TextItem[]): string[] {
  const paragraphs: string[] = [];
  let lines: string[] = [];
  let line = '';
  let lastY: number | undefined;
  let lastH = 0;
  const endLine = () => {
    const l = line.replace(/\s+/g, ' ').trim();
    if (l) lines.push(l);
    line = '';
  };
  const endParagraph = () => {
    endLine();
    if (lines.length) paragraphs.push(lines.join(' ').replace(/(\w)- (\w)/g, '$1$2'));
    lines = [];
  };
  for (const it of items) {
    const y = it.transform?.[5];
    const h = it.height || lastH || 10;
    if (y !== undefined && lastY !== undefined && Math.abs(lastY - y) > h * 1.5 && it.str.trim()) endParagraph();
    else if (y !== undefined && lastY !== undefined && Math.abs(lastY - y) > h * 0.5 && line) endLine();
    line += it.str;
    if (it.str.trim()) {
      if (y !== undefined) lastY = y;
      lastH = h;
    }
    if (it.hasEOL) endLine();
  }
  endParagraph();
  return paragraphs;
}

/** A PDF whose pages hold no text at all is a scan (pdf-scan); otherwise pdf-native. */
export function isScan(text: PdfText): boolean {
  return text.pages.every((p) => p.length === 0);
}

export function pdfToDocument(text: PdfText): ParsedDocument {
  const blocks: Block[] = [];
  const md: string[] = [];
  const warnings: string[] = [];
  let blank = 0;
  text.pages.forEach((paragraphs, i) => {
    const page = i + 1;
    md.push(pageMarker(page));
    if (paragraphs.length === 0) blank++;
    for (const p of paragraphs) {
      md.push(escapeMarkdownLine(p));
      blocks.push({ kind: 'paragraph', text: p, page });
    }
  });
  if (blank > 0) warnings.push(`pdf_pages_without_text:${blank}`);
  if (text.truncated) warnings.push(`pdf_truncated_pages:${text.pages.length}`);
  return {
    documentType: 'pdf-native',
    markdown: md.join('\n\n') + '\n',
    blocks,
    meta: { pages: text.pageCount },
    engine: 'builtin',
    degraded: blank > 0,
    warnings,
  };
}
