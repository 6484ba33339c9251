import type { DocumentType } from '@dph/contracts';
import { isDphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';
import { DEFAULT_LIMITS, type ParsedDocument, type ParseInput, type ParseLimits } from './model.js';
import { detect, type Detection } from './detect.js';
import { parseMd, parseTxt } from './parsers/text.js';
import { parseCsv } from './parsers/csv.js';
import { parseJson } from './parsers/json.js';
import type { PdfText } from './parsers/pdf.js';
import { markdownToBlocks } from './markdown-blocks.js';
import { decodeText } from './text-decode.js';
import type { EngineAdapter } from './engines/types.js';
import type { EngineRoutes } from './routes.js';
import { emptyContent, engineUnavailable, needsOcr, unsupportedType } from './errors.js';

// The office, PDF, HTML and e-mail parsers pull in large libraries (exceljs, mailparser, mammoth, unpdf, turndown:
// tens of MB resident between them). They load on the first document that needs them, so an idle worker, and a
// zone that never sees such a format, stays small. import() caches the module: later calls cost nothing.
const heavy = {
  html: () => import('./parsers/html.js'),
  docx: () => import('./parsers/docx.js'),
  xlsx: () => import('./parsers/xlsx.js'),
  pptx: () => import('./parsers/pptx.js'),
  email: () => import('./parsers/email.js'),
  pdf: () => import('./parsers/pdf.js'),
};

export interface ParseOptions {
  limits?: Partial<ParseLimits>;
  routes?: EngineRoutes;
  engines?: Readonly<Record<string, EngineAdapter>>;
  signal?: AbortSignal;
  /** Internal: e-mail attachment nesting depth. */
  depth?: number;
}

const EXT: Record<DocumentType, string> = {
  'pdf-native': 'pdf', 'pdf-scan': 'pdf', docx: 'docx', xlsx: 'xlsx', pptx: 'pptx', html: 'html', md: 'md',
  txt: 'txt', csv: 'csv', json: 'json', email: 'eml',
};

/**
 * Detect, route, parse. A type routed to an engine goes there; if the engine is down the built-in parser stands
 * in (result marked degraded) where one exists, else engine_unavailable. A scan with no engine is needs_ocr.
 */
export async function parseDocument(input: ParseInput, options: ParseOptions = {}): Promise<ParsedDocument> {
  const limits: ParseLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const detection = await detect(input);
  let pdf: PdfText | undefined;
  let type: DocumentType;
  if (detection.kind === 'pdf') {
    const { isScan, readPdfText } = await heavy.pdf();
    pdf = await readPdfText(input.bytes, limits);
    type = isScan(pdf) ? 'pdf-scan' : 'pdf-native';
  } else type = detection.kind;

  const engineName = options.routes?.[type];
  if (engineName && engineName !== 'builtin') {
    const engine = options.engines?.[engineName];
    try {
      if (!engine) throw engineUnavailable(engineName);
      const r = await engine.convert({ bytes: input.bytes, filename: safeFilename(type), documentType: type, signal: options.signal });
      const blocks = markdownToBlocks(r.markdown);
      if (blocks.length === 0) throw emptyContent('engine found no text in the document');
      return { documentType: type, markdown: r.markdown.endsWith('\n') ? r.markdown : r.markdown + '\n', blocks, meta: {}, engine: engineName, degraded: r.warnings.length > 0, warnings: r.warnings };
    } catch (err) {
      if (!(isDphError(err) && err.code === ERROR_CODES.engineUnavailable) || type === 'pdf-scan') throw err;
      const doc = await builtin(type, detection, input, limits, pdf, options);
      return { ...doc, degraded: true, warnings: [`engine_unavailable:${engineName}`, ...doc.warnings] };
    }
  }
  if (type === 'pdf-scan') throw needsOcr();
  return builtin(type, detection, input, limits, pdf, options);
}

/** Engines see a neutral file name: the submitted one may carry personal data. */
function safeFilename(type: DocumentType): string {
  return `document.${EXT[type]}`;
}

async function builtin(type: DocumentType, d: Detection, input: ParseInput, limits: ParseLimits, pdf: PdfText | undefined, options: ParseOptions): Promise<ParsedDocument> {
  const text = () => d.text ?? decodeText(input.bytes) ?? '';
  switch (type) {
    case 'txt':
      return parseTxt(text());
    case 'md':
      return parseMd(text());
    case 'csv':
      return parseCsv(text(), limits);
    case 'json':
      return parseJson(text());
    case 'html':
      return (await heavy.html()).parseHtml(text());
    case 'docx':
      return (await heavy.docx()).parseDocx(input.bytes, limits);
    case 'xlsx':
      return (await heavy.xlsx()).parseXlsx(input.bytes, limits);
    case 'pptx':
      return (await heavy.pptx()).parsePptx(input.bytes, limits);
    case 'pdf-native': {
      const { pdfToDocument, readPdfText } = await heavy.pdf();
      return pdfToDocument(pdf ?? (await readPdfText(input.bytes, limits)));
    }
    case 'email': {
      const depth = options.depth ?? 0;
      return (await heavy.email()).parseEmail(input.bytes, {
        depth,
        maxDepth: limits.emailMaxDepth,
        maxAttachments: limits.emailMaxAttachments,
        parseNested: (nested) => parseDocument(nested, { ...options, depth: depth + 1 }),
      });
    }
    default:
      throw unsupportedType();
  }
}
