import mammoth from 'mammoth';
import type { ParsedDocument, ParseLimits } from '../model.js';
import { inspectZip } from '../zip-guard.js';
import { parseHtml } from './html.js';
import { emptyContent, parseFailed } from '../errors.js';
import { isDphError } from '@dph/errors';

/** DOCX → HTML (mammoth keeps headings, lists and tables) → Markdown through the HTML path. */
export async function parseDocx(bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  await inspectZip(bytes, limits);
  let html: string;
  try {
    const r = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      // Images would be inlined as base64 data URIs: they carry no text for retrieval, so drop them.
      { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
    );
    html = r.value;
  } catch (err) {
    throw parseFailed('DOCX could not be parsed', err);
  }
  if (html.replace(/<[^>]+>/g, '').trim().length === 0) throw emptyContent();
  try {
    return parseHtml(html, 'docx');
  } catch (err) {
    if (isDphError(err)) throw err;
    throw parseFailed('DOCX could not be converted', err);
  }
}
