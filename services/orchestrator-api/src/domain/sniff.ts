import { fileTypeFromBuffer } from 'file-type';
import type { DocumentType } from '@dph/contracts';
import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

/** Bytes the sniffer looks at: enough for every magic number file-type knows. */
export const SNIFF_BYTES = 4100;

const OFFICE: Record<string, DocumentType> = { docx: 'docx', xlsx: 'xlsx', pptx: 'pptx' };
const TEXT_EXT: Record<string, DocumentType> = {
  md: 'md', markdown: 'md', txt: 'txt', csv: 'csv', tsv: 'csv', json: 'json', html: 'html', htm: 'html', eml: 'email',
};
const TEXT_MIME: Record<string, DocumentType> = {
  'text/markdown': 'md', 'text/plain': 'txt', 'text/csv': 'csv', 'application/json': 'json', 'text/html': 'html',
  'message/rfc822': 'email',
};

/**
 * The document type from the first bytes (magic numbers via file-type), refined by the declared content type and
 * the file name only where content cannot tell (text formats, office files whose zip directory comes late).
 * A recognised binary that is no supported document (an image, an executable) is refused here: 415.
 * The worker detects again on the whole document; this decides the raw object's extension and the routing hint.
 */
export async function sniffDocumentType(head: Buffer, declaredType?: string, filename?: string): Promise<DocumentType | undefined> {
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(filename ?? '')?.[1]?.toLowerCase();
  const declared = (declaredType ?? '').split(';')[0]!.trim().toLowerCase();
  const ft = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (ft) {
    if (ft.ext === 'pdf') return 'pdf-native';
    if (OFFICE[ft.ext]) return OFFICE[ft.ext];
    if (ft.ext === 'zip') {
      if (ext && OFFICE[ext]) return OFFICE[ext];
      if (declared.includes('wordprocessingml')) return 'docx';
      if (declared.includes('spreadsheetml')) return 'xlsx';
      if (declared.includes('presentationml')) return 'pptx';
    }
    if (!ft.mime.startsWith('text/') && ft.mime !== 'application/xml') {
      throw new DphError(ERROR_CODES.unsupportedMediaType, 'the document content is not a supported type', { status: 415 });
    }
  }
  const text = head.toString('utf8').trimStart().slice(0, 512).toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'html';
  if ((text.startsWith('{') || text.startsWith('[')) && (ext === 'json' || declared.includes('json'))) return 'json';
  if (ext && TEXT_EXT[ext]) return TEXT_EXT[ext];
  if (TEXT_MIME[declared]) return TEXT_MIME[declared];
  if (/^(from|received|mime-version|return-path|message-id):/m.test(text) && /\nsubject:/.test(text)) return 'email';
  return undefined;
}
