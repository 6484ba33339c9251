import { parse } from 'csv-parse/sync';
import type { ParsedDocument, ParseLimits } from '../model.js';
import { markdownTable } from '../markdown-blocks.js';
import { csvDelimiter } from '../detect.js';
import { emptyContent, parseFailed } from '../errors.js';

/** CSV/TSV: one table, the first record is the header. */
export function parseCsv(text: string, limits: ParseLimits): ParsedDocument {
  const delimiter = csvDelimiter(text.slice(0, 4096)) ?? ',';
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
      to: limits.maxTableRows + 1,
    }) as string[][];
  } catch (err) {
    throw parseFailed('CSV could not be parsed', err);
  }
  const rows = records.map((r) => r.map((c) => String(c).trim())).filter((r) => r.some((c) => c.length > 0));
  if (rows.length === 0) throw emptyContent();
  const warnings = records.length > limits.maxTableRows ? [`csv_truncated_rows:${limits.maxTableRows}`] : [];
  const kept = rows.slice(0, limits.maxTableRows);
  return {
    documentType: 'csv',
    markdown: markdownTable(kept) + '\n',
    blocks: [{ kind: 'table', header: true, rows: kept, text: kept.map((r) => r.join(' | ')).join('\n') }],
    meta: {},
    engine: 'builtin',
    degraded: false,
    warnings,
  };
}
