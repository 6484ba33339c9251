import { fileTypeFromBuffer } from 'file-type';
import type { DocumentType } from '@dph/contracts';
import { decodeText } from './text-decode.js';
import { emptyContent, unsupportedType } from './errors.js';
import type { ParseInput } from './model.js';

/**
 * What detection found. `pdf` is resolved to pdf-native or pdf-scan only once the text layer has been read
 * (see parse), because deciding it needs the PDF parser anyway.
 */
export type DetectedKind = Exclude<DocumentType, 'pdf-native' | 'pdf-scan'> | 'pdf';

export interface Detection {
  kind: DetectedKind;
  /** The decoded text for text-ish kinds, so that the parser does not decode twice. */
  text?: string;
}

const TEXT_HINTS: Record<string, DetectedKind> = {
  'text/markdown': 'md', 'text/x-markdown': 'md', 'text/plain': 'txt', 'text/csv': 'csv',
  'application/csv': 'csv', 'text/tab-separated-values': 'csv', 'application/json': 'json', 'text/json': 'json',
  'text/html': 'html', 'application/xhtml+xml': 'html', 'message/rfc822': 'email',
};
const EXT_HINTS: Record<string, DetectedKind> = {
  md: 'md', markdown: 'md', txt: 'txt', text: 'txt', csv: 'csv', tsv: 'csv', json: 'json', html: 'html',
  htm: 'html', xhtml: 'html', eml: 'email',
};
const OFFICE: Record<string, DetectedKind> = { docx: 'docx', xlsx: 'xlsx', pptx: 'pptx' };
const OFFICE_EXT = /\.(docx|xlsx|pptx)$/i;

/** Detects the document type from content first, then the declared type and the file name. */
export async function detect(input: ParseInput): Promise<Detection> {
  const { bytes } = input;
  if (bytes.length === 0) throw emptyContent('document is empty');
  const ft = await fileTypeFromBuffer(bytes);
  if (ft) {
    if (ft.ext === 'pdf') return { kind: 'pdf' };
    const office = OFFICE[ft.ext];
    if (office) return { kind: office };
    // Some writers put [Content_Types].xml late in the archive, where magic-byte sniffing gives up at "zip".
    if (ft.ext === 'zip') {
      const m = OFFICE_EXT.exec(input.filename ?? '');
      const hinted = officeFromDeclared(input.declaredType) ?? (m ? OFFICE[m[1]!.toLowerCase()] : undefined);
      if (hinted) return { kind: hinted };
    }
    if (!isTextual(ft.mime)) throw unsupportedType(`content is ${ft.mime}, which is not a supported document type`);
  }
  const text = decodeText(bytes);
  if (text === null) throw unsupportedType('content is binary and of no supported type');
  if (text.trim().length === 0) throw emptyContent('document is blank');
  return { kind: detectText(text, hintOf(input)), text };
}

function isTextual(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/xml' || mime === 'application/json';
}

function officeFromDeclared(declared: string | undefined): DetectedKind | undefined {
  const d = (declared ?? '').toLowerCase();
  if (d.includes('wordprocessingml')) return 'docx';
  if (d.includes('spreadsheetml')) return 'xlsx';
  if (d.includes('presentationml')) return 'pptx';
  return undefined;
}

function hintOf(input: ParseInput): DetectedKind | undefined {
  const declared = (input.declaredType ?? '').split(';')[0]!.trim().toLowerCase();
  const byType = TEXT_HINTS[declared];
  if (byType) return byType;
  const ext = /\.([a-z0-9]+)$/i.exec(input.filename ?? '')?.[1]?.toLowerCase();
  return ext ? EXT_HINTS[ext] : undefined;
}

/**
 * Text formats have no magic bytes. Order: unambiguous content signals (RFC 822 header block, valid JSON, an
 * HTML document) win over the hint; then the hint where the content fits it; then weaker heuristics.
 */
export function detectText(text: string, hint?: DetectedKind): DetectedKind {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '');
  const trimmed = head.trimStart();
  if (looksLikeEmail(head)) return 'email';
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && isJson(text)) return 'json';
  if (/^(<\?xml[^>]*>\s*)?<!doctype html|^<html[\s>]/i.test(trimmed)) return 'html';
  switch (hint) {
    case 'html':
      if (/<[a-z][\w-]*[\s>/]/i.test(head)) return 'html';
      break;
    case 'csv':
      if (csvDelimiter(head) !== null) return 'csv';
      break;
    case 'md':
    case 'txt':
      return hint;
    case 'email':
    case 'json':
      break; // already ruled out by content: fall through to heuristics
    default:
      break;
  }
  if (/<(body|div|p|table|span|h[1-6])[\s>]/i.test(head) && /<\/(body|div|p|table|span|h[1-6])>/i.test(head)) return 'html';
  if (markdownScore(head) >= 2) return 'md';
  if (hint === undefined && csvDelimiter(head) !== null) return 'csv';
  return 'txt';
}

const EMAIL_HEADERS = /^(from|to|cc|subject|date|message-id|mime-version|received|return-path|reply-to|content-type|x-[\w-]+):/i;

/** An RFC 822 header block: the text starts with header lines, two of them well-known, then a blank line. */
function looksLikeEmail(head: string): boolean {
  const end = head.indexOf('\n\n');
  if (end <= 0) return false;
  const lines = head.slice(0, end).split('\n');
  let known = 0;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) continue; // folded continuation
    if (!/^[!-9;-~]+:/.test(line)) return false;
    if (EMAIL_HEADERS.test(line) && !/^x-/i.test(line)) known++;
  }
  return known >= 2 && /^(from|received|return-path|message-id|mime-version|date|to|subject):/im.test(lines[0]!);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function markdownScore(head: string): number {
  let score = 0;
  if (/^#{1,6} \S/m.test(head)) score += 2;
  if (/^```/m.test(head)) score += 2;
  if (/^\|.*\|\s*\n\|\s*:?-{3,}/m.test(head)) score += 2;
  if (/^\s*[-*+] \S/m.test(head)) score += 1;
  if (/^\s*\d+\. \S/m.test(head)) score += 1;
  if (/\[[^\]]+\]\([^)]+\)/.test(head)) score += 1;
  if (/\*\*[^*]+\*\*/.test(head)) score += 1;
  if (/^> \S/m.test(head)) score += 1;
  return score;
}

/** The delimiter that splits the first lines into the same number (>= 2) of fields, if any. */
export function csvDelimiter(head: string): string | null {
  const lines = head.split('\n').filter((l) => l.trim().length > 0).slice(0, 10);
  if (lines.length < 2) return null;
  for (const d of [',', ';', '\t', '|']) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    if (counts[0]! >= 1 && counts.every((c) => c === counts[0])) return d;
  }
  return null;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let q = false;
  for (const ch of line) {
    if (ch === '"') q = !q;
    else if (ch === d && !q) n++;
  }
  return n;
}
