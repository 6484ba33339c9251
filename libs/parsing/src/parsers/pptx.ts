import yauzl from 'yauzl';
import { Parser } from 'htmlparser2';
import type { Block, ParsedDocument, ParseLimits } from '../model.js';
import { escapeMarkdownLine, pageMarker } from '../markdown-blocks.js';
import { inspectZip } from '../zip-guard.js';
import { emptyContent, parseFailed } from '../errors.js';

/**
 * PPTX: text of each slide from ppt/slides/slideN.xml (DrawingML paragraphs <a:p> of runs <a:t>). No library
 * for this is well kept on npm, and the part we need is small: slides in number order, paragraphs in order.
 */
export async function parsePptx(bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  await inspectZip(bytes, limits);
  const slides = await readSlides(bytes);
  const blocks: Block[] = [];
  const md: string[] = [];
  for (const [n, xml] of slides) {
    const paragraphs = slideParagraphs(xml);
    if (paragraphs.length === 0) continue;
    md.push(pageMarker(n), `## Slide ${n}`, ...paragraphs.map(escapeMarkdownLine));
    blocks.push({ kind: 'heading', level: 2, text: `Slide ${n}`, page: n });
    for (const p of paragraphs) blocks.push({ kind: 'paragraph', text: p, page: n });
  }
  if (blocks.length === 0) throw emptyContent();
  return { documentType: 'pptx', markdown: md.join('\n\n') + '\n', blocks, meta: { pages: slides.length }, engine: 'builtin', degraded: false, warnings: [] };
}

function slideParagraphs(xml: string): string[] {
  const out: string[] = [];
  let current: string[] | null = null;
  let inText = false;
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'a:p') current = [];
        else if (name === 'a:t') inText = true;
        else if (name === 'a:br' && current) current.push(' ');
      },
      ontext(t) {
        if (inText && current) current.push(t);
      },
      onclosetag(name) {
        if (name === 'a:t') inText = false;
        else if (name === 'a:p' && current) {
          const s = current.join('').replace(/\s+/g, ' ').trim();
          if (s) out.push(s);
          current = null;
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return out;
}

async function readSlides(bytes: Uint8Array): Promise<[number, string][]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(parseFailed('PPTX is not a valid zip', err));
      const slides: [number, string][] = [];
      zip.on('error', (e) => reject(parseFailed('PPTX could not be read', e)));
      zip.on('end', () => resolve(slides.sort((a, b) => a[0] - b[0])));
      zip.on('entry', (entry: yauzl.Entry) => {
        const m = /^ppt\/slides\/slide(\d+)\.xml$/.exec(entry.fileName);
        if (!m) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(parseFailed('PPTX slide could not be read', e));
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => parts.push(c));
          stream.on('error', (x) => reject(parseFailed('PPTX slide could not be read', x)));
          stream.on('end', () => {
            slides.push([Number(m[1]), Buffer.concat(parts).toString('utf8')]);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
