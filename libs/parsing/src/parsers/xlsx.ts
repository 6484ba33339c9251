import ExcelJS from 'exceljs';
import type { Block, ParsedDocument, ParseLimits } from '../model.js';
import { escapeMarkdownLine, markdownTable } from '../markdown-blocks.js';
import { inspectZip } from '../zip-guard.js';
import { emptyContent, parseFailed } from '../errors.js';

/** XLSX: one "## <sheet>" heading and one table per non-empty sheet; the first used row is the header. */
export async function parseXlsx(bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  await inspectZip(bytes, limits);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (err) {
    throw parseFailed('XLSX could not be parsed', err);
  }
  const blocks: Block[] = [];
  const md: string[] = [];
  const sheets: string[] = [];
  const warnings: string[] = [];
  for (const ws of wb.worksheets) {
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      if (rows.length >= limits.maxTableRows) return;
      const cells: string[] = [];
      for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value));
      while (cells.length && cells[cells.length - 1] === '') cells.pop();
      if (cells.some((c) => c !== '')) rows.push(cells);
    });
    if (rows.length === 0) continue;
    if (ws.actualRowCount > limits.maxTableRows) warnings.push(`xlsx_truncated_rows:${limits.maxTableRows}`);
    sheets.push(ws.name);
    md.push(`## ${escapeMarkdownLine(ws.name)}`, markdownTable(rows));
    blocks.push({ kind: 'heading', level: 2, text: ws.name });
    blocks.push({ kind: 'table', header: true, rows, text: rows.map((r) => r.join(' | ')).join('\n') });
  }
  if (blocks.length === 0) throw emptyContent();
  return { documentType: 'xlsx', markdown: md.join('\n\n') + '\n', blocks, meta: { sheets }, engine: 'builtin', degraded: false, warnings };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().replace('T00:00:00.000Z', '');
  if (typeof v !== 'object') return String(v);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('formula' in v || 'sharedFormula' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('text' in v && 'hyperlink' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
  if ('error' in v) return String((v as ExcelJS.CellErrorValue).error);
  return '';
}
