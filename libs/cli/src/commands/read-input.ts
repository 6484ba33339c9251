import { readFile } from 'node:fs/promises';
import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

export async function readStream(s: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Inputs as [name, text]: the files given, or stdin ("-") when none is. */
export async function readInputs(files: readonly string[], stdin: NodeJS.ReadableStream): Promise<Array<[string, string]>> {
  if (files.length === 0) return [['-', await readStream(stdin)]];
  const out: Array<[string, string]> = [];
  for (const f of files) {
    if (f === '-') out.push(['-', await readStream(stdin)]);
    else {
      try {
        out.push([f, await readFile(f, 'utf8')]);
      } catch {
        throw new DphError(ERROR_CODES.validationFailed, `${f}: cannot read input file`, { status: 400 });
      }
    }
  }
  return out;
}
