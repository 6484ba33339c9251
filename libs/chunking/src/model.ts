export interface ChunkOptions {
  /** Target upper bound of a chunk's text, in characters. A single table row longer than this stays whole. */
  maxChars: number;
  /** Characters of the previous chunk repeated at the start of the next one (text only, within a section). */
  overlapChars: number;
  /** Headings of this level or higher (1 = "#") start a new chunk. Default 6: every heading. */
  splitHeadingLevel?: number;
}

export interface Chunk {
  /** Deterministic: `${idPrefix}:${index}` (the worker uses the job id), so a re-run yields the same ids. */
  id: string;
  index: number;
  /**
   * The source slices of its units joined by blank lines (page markers dropped); a chunk that continues a table
   * starts with that table's header and separator rows.
   */
  text: string;
  /** Titles of the enclosing headings, outermost first. */
  headingPath: string[];
  /** Pages covered (from the page markers in result.md), or null when the document has no pages. */
  pageRange: { from: number; to: number } | null;
  /** [startOffset, endOffset) into result.md (UTF-16 code units, as JavaScript strings index). */
  startOffset: number;
  endOffset: number;
  tokenEstimate: number;
}

export const DEFAULT_CHUNK_OPTIONS: Readonly<ChunkOptions> = Object.freeze({ maxChars: 1500, overlapChars: 150, splitHeadingLevel: 6 });
