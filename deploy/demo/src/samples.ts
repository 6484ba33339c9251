import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import type { SourceType } from '@dph/contracts';

export interface Sample {
  name: string;
  contentType: string;
  source: SourceType;
  scene: string;
  body: Buffer;
}

/** The committed samples (docs/samples), each sent through one of the three source types, plus a DOCX made here. */
export async function loadSamples(root: string): Promise<Sample[]> {
  const dir = join(root, 'docs', 'samples');
  const file = (name: string) => readFileSync(join(dir, name));
  return [
    { name: 'credit-application.md', contentType: 'text/markdown', source: 'direct_upload', scene: 'credit', body: file('credit-application.md') },
    { name: '客户资料.html', contentType: 'text/html', source: 'presigned_url', scene: 'credit', body: file('客户资料.html') },
    { name: 'transactions.csv', contentType: 'text/csv', source: 'inner_oss_ref', scene: 'credit', body: file('transactions.csv') },
    { name: 'customer-profile.json', contentType: 'application/json', source: 'direct_upload', scene: 'credit', body: file('customer-profile.json') },
    { name: 'support-ticket.eml', contentType: 'message/rfc822', source: 'direct_upload', scene: 'credit', body: file('support-ticket.eml') },
    { name: 'loan-memo.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', source: 'direct_upload', scene: 'credit', body: await docxSample() },
  ];
}

async function docxSample(): Promise<Buffer> {
  const doc = new Document({
    sections: [{
      children: [
        new Paragraph({ text: 'Loan memo (synthetic demo data)', heading: HeadingLevel.HEADING_1 }),
        new Paragraph('Borrower Jane Roe, e-mail jane.roe@example.net, phone +1 415-555-0134.'),
        new Paragraph('Repayments are drawn from card 4111 1111 1111 1111.'),
        new Paragraph({ text: 'Decision', heading: HeadingLevel.HEADING_2 }),
        new Paragraph('Approved for 12,000 USD over 36 months.'),
      ],
    }],
  });
  return Packer.toBuffer(doc);
}
