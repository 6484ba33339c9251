import type { DocumentType } from '@dph/contracts';

/** The block kinds of result.json (issue 5: heading/paragraph/list/table/code). */
export type BlockKind = 'heading' | 'paragraph' | 'list' | 'table' | 'code';

export interface Block {
  kind: BlockKind;
  /** Plain text of the block (a table's cells joined by " | ", one row a line). */
  text: string;
  /** 1-based page (PDF) or slide (PPTX) when the format has pages. */
  page?: number;
  /** heading: 1..6 */
  level?: number;
  /** list */
  ordered?: boolean;
  items?: string[];
  /** table: rows of cells, the first row is the header row when `header` is true. */
  rows?: string[][];
  header?: boolean;
  /** code: the fence's info string */
  language?: string;
  /** Where the block came from inside a container, e.g. "attachment:1" for an e-mail attachment. */
  source?: string;
}

export interface AttachmentInfo {
  index: number;
  contentType: string;
  size: number;
  /** The attachment's own detected type when it was parsed; absent when skipped. */
  documentType?: DocumentType;
  parsed: boolean;
  /** Stable code of why it was not parsed (e.g. unsupported_type); never a message with content. */
  skippedReason?: string;
}

export interface DocumentMeta {
  pages?: number;
  sheets?: string[];
  email?: {
    subject?: string;
    from?: string;
    to?: string;
    cc?: string;
    date?: string;
    messageId?: string;
  };
  attachments?: AttachmentInfo[];
}

/** The common document model every parser and engine adapter produces. */
export interface ParsedDocument {
  documentType: DocumentType;
  /** Becomes result.md */
  markdown: string;
  /** Becomes result.json's `blocks` */
  blocks: Block[];
  meta: DocumentMeta;
  /** 'builtin' or the engine name (docling, mineru). */
  engine: string;
  /** True when a configured engine was down and the built-in parser stood in (or parts were skipped). */
  degraded: boolean;
  /** Non-sensitive notes (codes and counts, never content). */
  warnings: string[];
}

/** What a caller hands to the parser: the bytes plus the submission's hints. */
export interface ParseInput {
  bytes: Uint8Array;
  /** Declared content type (e.g. from the multipart part or the source's Content-Type). */
  declaredType?: string | undefined;
  filename?: string | undefined;
}

export interface ParseLimits {
  /** Office archives (docx/xlsx/pptx): most entries allowed in the zip. */
  zipMaxEntries: number;
  /** Office archives: most bytes the entries may expand to, all together. */
  zipMaxExpandedBytes: number;
  /** Office archives: largest expanded/compressed ratio of one entry (only checked above 1 MiB expanded). */
  zipMaxRatio: number;
  /** E-mail: how deep attachments are parsed (an e-mail inside an e-mail inside ...). */
  emailMaxDepth: number;
  /** E-mail: how many attachments are parsed at most; the rest are listed as skipped. */
  emailMaxAttachments: number;
  /** PDF: most pages read. */
  pdfMaxPages: number;
  /** XLSX/CSV: most rows kept per sheet. */
  maxTableRows: number;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = Object.freeze({
  zipMaxEntries: 5000,
  zipMaxExpandedBytes: 256 * 1024 * 1024,
  zipMaxRatio: 200,
  emailMaxDepth: 2,
  emailMaxAttachments: 20,
  pdfMaxPages: 2000,
  maxTableRows: 100_000,
});

/** The serialized form of result.json. */
export function toResultJson(doc: ParsedDocument): Record<string, unknown> {
  return {
    documentType: doc.documentType,
    engine: doc.engine,
    degraded: doc.degraded,
    warnings: doc.warnings,
    meta: doc.meta,
    blocks: doc.blocks,
  };
}
