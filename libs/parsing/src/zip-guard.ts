import yauzl from 'yauzl';
import { isDphError } from '@dph/errors';
import type { ParseLimits } from './model.js';
import { parseFailed } from './errors.js';

export interface ZipSummary {
  entries: string[];
  expandedBytes: number;
}

/**
 * Inspects an office archive before a parser inflates it: entry count, total expanded size and per-entry ratio.
 * The central directory's sizes can lie, so every entry is also inflated here with a running byte budget
 * (yauzl checks the real size against the declared one); the inflated data is discarded.
 */
export async function inspectZip(bytes: Uint8Array, limits: ParseLimits): Promise<ZipSummary> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, z) =>
      err || !z ? reject(parseFailed('office archive is not a valid zip', err)) : resolve(z),
    ),
  );
  if (zip.entryCount > limits.zipMaxEntries) {
    zip.close();
    throw parseFailed(`office archive has too many entries (limit ${limits.zipMaxEntries})`);
  }
  const entries: string[] = [];
  let expanded = 0;
  return new Promise<ZipSummary>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(isDphError(e) ? e : parseFailed('office archive could not be read', e));
    };
    zip.on('error', fail);
    zip.on('end', () => {
      if (!failed) resolve({ entries, expandedBytes: expanded });
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry.fileName);
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      const declared = entry.uncompressedSize;
      if (expanded + declared > limits.zipMaxExpandedBytes) return fail(parseFailed('office archive expands beyond the size limit'));
      if (declared > 1024 * 1024 && declared / Math.max(entry.compressedSize, 1) > limits.zipMaxRatio) {
        return fail(parseFailed('office archive entry has a suspicious compression ratio'));
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(err);
        stream.on('data', (chunk: Buffer) => {
          expanded += chunk.length;
          if (expanded > limits.zipMaxExpandedBytes) {
            stream.destroy();
            fail(parseFailed('office archive expands beyond the size limit'));
          }
        });
        stream.on('error', fail);
        stream.on('end', () => {
          if (!failed) zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
}
