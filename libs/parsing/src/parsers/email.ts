import { simpleParser, type AddressObject } from 'mailparser';
import { isDphError } from '@dph/errors';
import type { AttachmentInfo, Block, ParsedDocument, ParseInput } from '../model.js';
import { escapeMarkdownLine, markdownToBlocks } from '../markdown-blocks.js';
import { htmlToMarkdown } from './html.js';
import { emptyContent, parseFailed } from '../errors.js';

export type ParseNested = (input: ParseInput) => Promise<ParsedDocument>;

export interface EmailOptions {
  depth: number;
  maxDepth: number;
  maxAttachments: number;
  parseNested: ParseNested;
}

/**
 * E-mail (RFC 822 / MIME): a heading from the subject, a header list, the body (HTML body preferred: it keeps
 * tables), the attachment list, then each attachment parsed with the same parsers under its own heading, up to
 * a depth and count limit. A failed attachment is listed with its error code, not fatal.
 */
export async function parseEmail(bytes: Uint8Array, opts: EmailOptions): Promise<ParsedDocument> {
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
    });
  } catch (err) {
    throw parseFailed('e-mail could not be parsed', err);
  }
  const md: string[] = [];
  const blocks: Block[] = [];
  const warnings: string[] = [];
  let degraded = false;
  const subject = (mail.subject ?? '').trim();
  if (subject) {
    md.push(`# ${escapeMarkdownLine(subject)}`);
    blocks.push({ kind: 'heading', level: 1, text: subject });
  }
  const headers: [string, string][] = [];
  const add = (label: string, v: string | undefined) => v && headers.push([label, v]);
  add('From', addr(mail.from));
  add('To', addr(mail.to));
  add('Cc', addr(mail.cc));
  add('Date', mail.date ? mail.date.toISOString() : undefined);
  if (headers.length) {
    md.push(headers.map(([k, v]) => `- **${k}:** ${escapeMarkdownLine(v)}`).join('\n'));
    const items = headers.map(([k, v]) => `${k}: ${v}`);
    blocks.push({ kind: 'list', ordered: false, items, text: items.join('\n') });
  }
  const bodyMd = typeof mail.html === 'string' && mail.html.trim() ? htmlToMarkdown(mail.html) : (mail.text ?? '').trim().split('\n').map(escapeMarkdownLine).join('  \n');
  if (bodyMd.trim()) {
    md.push(bodyMd);
    blocks.push(...markdownToBlocks(bodyMd));
  }

  const attachments: AttachmentInfo[] = [];
  const sections: { md: string; blocks: Block[] }[] = [];
  for (const [i, a] of mail.attachments.entries()) {
    const index = i + 1;
    const info: AttachmentInfo = { index, contentType: a.contentType, size: a.size, parsed: false };
    attachments.push(info);
    if (opts.depth >= opts.maxDepth) {
      info.skippedReason = 'depth_limit';
      continue;
    }
    if (index > opts.maxAttachments) {
      info.skippedReason = 'count_limit';
      continue;
    }
    try {
      const nested = await opts.parseNested({ bytes: a.content, declaredType: a.contentType, filename: a.filename });
      info.parsed = true;
      info.documentType = nested.documentType;
      if (nested.degraded) degraded = true;
      warnings.push(...nested.warnings.map((w) => `attachment:${index}:${w}`));
      const title = `Attachment ${index}${a.filename ? ': ' + escapeMarkdownLine(a.filename) : ''}`;
      const source = `attachment:${index}`;
      sections.push({
        md: `## ${title}\n\n${demoteHeadings(nested.markdown.trim(), 2)}`,
        blocks: [{ kind: 'heading', level: 2, text: title.replace(/\\/g, ''), source }, ...nested.blocks.map((b) => ({ ...b, source, ...(b.kind === 'heading' ? { level: Math.min(6, (b.level ?? 1) + 2) } : {}) }))],
      });
    } catch (err) {
      info.skippedReason = isDphError(err) ? err.code : 'parse_failed';
      warnings.push(`attachment:${index}:skipped:${info.skippedReason}`);
    }
  }
  if (attachments.length) {
    const lines = mail.attachments.map((a, i) => `${i + 1}. ${escapeMarkdownLine(a.filename ?? 'unnamed')} (${a.contentType}, ${a.size} bytes)`);
    md.push('## Attachments', lines.join('\n'));
    blocks.push({ kind: 'heading', level: 2, text: 'Attachments' });
    blocks.push({ kind: 'list', ordered: true, items: lines.map((l) => l.replace(/^\d+\. /, '').replace(/\\/g, '')), text: lines.join('\n') });
    for (const s of sections) {
      md.push(s.md);
      blocks.push(...s.blocks);
    }
  }
  if (blocks.length === 0 || (!bodyMd.trim() && sections.length === 0 && !subject)) throw emptyContent();
  const meta: ParsedDocument['meta'] = {
    email: {
      ...(subject ? { subject } : {}),
      ...(addr(mail.from) ? { from: addr(mail.from) } : {}),
      ...(addr(mail.to) ? { to: addr(mail.to) } : {}),
      ...(addr(mail.cc) ? { cc: addr(mail.cc) } : {}),
      ...(mail.date ? { date: mail.date.toISOString() } : {}),
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
    },
    attachments,
  };
  return { documentType: 'email', markdown: md.join('\n\n') + '\n', blocks, meta, engine: 'builtin', degraded, warnings };
}

function addr(a: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!a) return undefined;
  const s = (Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text).trim();
  return s || undefined;
}

/** Shifts ATX headings down by `by` levels (max 6), leaving fenced code alone. */
export function demoteHeadings(md: string, by: number): string {
  let fence = false;
  return md
    .split('\n')
    .map((line) => {
      if (/^(```|~~~)/.test(line)) fence = !fence;
      if (fence) return line;
      const m = /^(#{1,6}) (.*)$/.exec(line);
      return m ? `${'#'.repeat(Math.min(6, m[1]!.length + by))} ${m[2]}` : line;
    })
    .join('\n');
}
