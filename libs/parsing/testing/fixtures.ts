// Test fixtures (shared with the worker's tests through @dph/parsing/testing) for every supported format, generated in code, with synthetic personal data only.
import { Document, Packer, Paragraph, HeadingLevel, Table, TableRow, TableCell, TextRun } from 'docx';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

/** Synthetic PII: reserved example domains, 555 numbers, a made-up SSN that passes the SSA format rules, a test card number. */
export const PII = {
  name: 'Jane Roe',
  email: 'jane.roe@example.com',
  phone: '+1 415-555-0134',
  ssn: '536-22-4187',
  card: '4111 1111 1111 1111',
  ip: '203.0.113.7',
} as const;

export const md = `# Quarterly report

Contact ${PII.name} at ${PII.email} or ${PII.phone}.

## Figures

| Region | Revenue | Owner |
| --- | --- | --- |
| North | 100 | ${PII.email} |
| South | 200 | bob@example.org |

- first point
- second point

\`\`\`ts
const x = 1;
\`\`\`
`;

export const txt = `Plain notes for ${PII.name}.
# not a heading, just a hash

Second paragraph with SSN ${PII.ssn}.
`;

export const csv = `name,email,phone\n${PII.name},${PII.email},${PII.phone}\n"Smith, John",john@example.net,+1 212-555-0188\n`;

export const json = JSON.stringify({
  customer: { name: PII.name, email: PII.email, tags: ['vip', 'beta'] },
  ip: PII.ip,
  active: true,
});

export const jsonRecords = JSON.stringify([
  { id: 1, email: PII.email, score: 9.5 },
  { id: 2, email: 'max@example.org', score: null },
]);

export const html = `<!doctype html><html><head><title>t</title><style>p{color:red}</style><script>alert(1)</script></head>
<body><h1>Customer page</h1><p>Write to <a href="mailto:${PII.email}">${PII.email}</a>.</p>
<table><tr><td>Name</td><td>Card</td></tr><tr><td>${PII.name}</td><td>${PII.card}</td></tr></table>
<ul><li>alpha</li><li>beta</li></ul></body></html>`;

export function bigHtml(targetBytes: number): string {
  const rows: string[] = [];
  let i = 0;
  let size = 0;
  while (size < targetBytes) {
    const s = `<h2>Section ${i}</h2><p>Paragraph ${i} about the product, contact ${PII.email} or ${PII.phone}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p><table><tr><th>k</th><th>v</th></tr><tr><td>row ${i}</td><td>${i * 7}</td></tr></table>\n`;
    rows.push(s);
    size += s.length;
    i++;
  }
  return `<!doctype html><html><body>${rows.join('')}</body></html>`;
}

export async function docx(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Employment contract', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun(`Employee: ${PII.name}, phone ${PII.phone}.`)] }),
          new Paragraph({ text: 'Terms', heading: HeadingLevel.HEADING_2 }),
          new Table({
            rows: [
              new TableRow({ children: [new TableCell({ children: [new Paragraph('Item')] }), new TableCell({ children: [new Paragraph('Value')] })] }),
              new TableRow({ children: [new TableCell({ children: [new Paragraph('SSN')] }), new TableCell({ children: [new Paragraph(PII.ssn)] })] }),
            ],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export async function xlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Customers');
  ws.addRow(['Name', 'Email', 'Joined']);
  ws.addRow([PII.name, PII.email, new Date(Date.UTC(2024, 0, 15))]);
  ws.addRow(['Max Mustermann', { text: 'max@example.org', hyperlink: 'mailto:max@example.org' }, new Date(Date.UTC(2023, 5, 1))]);
  ws.addRow(['Total', { formula: '1+1', result: 2 }, null]);
  wb.addWorksheet('Empty');
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function pptx(): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/></Types>`);
  zip.file('ppt/presentation.xml', '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>');
  const slide = (paras: string[]) => `<?xml version="1.0"?><p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>${paras.map((p) => `<a:p><a:r><a:t>${p}</a:t></a:r></a:p>`).join('')}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;
  zip.file('ppt/slides/slide1.xml', slide(['Kick-off', `Owner: ${PII.name} &amp; team`]));
  zip.file('ppt/slides/slide2.xml', slide(['Budget', `Call ${PII.phone}`]));
  zip.file('ppt/slides/slide10.xml', slide(['Appendix']));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** A hand-built PDF: one page per entry, each a list of text lines; null = a page with no text layer. */
export function pdf(pages: (string[] | null)[]): Buffer {
  const esc = (s: string) => s.replace(/([\\()])/g, '\\$1');
  const objs: string[] = [];
  const pageIds: number[] = [];
  // 1 catalog, 2 pages, 3 font, then per page: page + content
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  let next = 4;
  for (const lines of pages) {
    const pageId = next++;
    const contentId = next++;
    pageIds.push(pageId);
    const content = lines
      ? lines.map((l, i) => `BT /F1 12 Tf 72 ${720 - i * 16} Td (${esc(l)}) Tj ET`).join('\n')
      : '0.5 g 72 300 400 300 re f'; // a grey box: a "scanned" page has graphics but no text
    objs[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`;
    objs[contentId] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  }
  objs[2] = `<< /Type /Pages /Kids [${pageIds.map((p) => `${p} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let i = 1; i < objs.length; i++) {
    offsets[i] = Buffer.byteLength(out, 'latin1');
    out += `${i} 0 obj\n${objs[i]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n`;
  for (let i = 1; i < objs.length; i++) out += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export function eml(attachments: { filename: string; contentType: string; content: Buffer }[] = []): Buffer {
  const boundary = 'dph-boundary-1';
  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello team,\r\nplease call ${PII.name} on ${PII.phone}.\r\n`,
    ...attachments.map(
      (a) =>
        `--${boundary}\r\nContent-Type: ${a.contentType}; name="${a.filename}"\r\nContent-Disposition: attachment; filename="${a.filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${a.content.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
    ),
  ];
  return Buffer.from(
    `From: ${PII.name} <${PII.email}>\r\nTo: Ops <ops@example.org>\r\nSubject: Contract for review\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <abc123@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`,
  );
}

/** A docx-looking archive whose one entry inflates to `size` zero bytes. */
export async function zipBomb(size: number): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>');
  zip.file('word/document.xml', Buffer.alloc(size, 0x20));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

export async function manyEntries(n: number): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>');
  for (let i = 0; i < n; i++) zip.file(`word/media/f${i}.xml`, 'x');
  return zip.generateAsync({ type: 'nodebuffer' });
}
