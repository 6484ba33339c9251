import { boost, hasContext } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';

const CONTEXT = ['ssn', 'social security', 'social sec', 'ss#', 'ss #', 'ss no', 'taxpayer', 'tin', '社会安全号', '社保号'];

// Separators must be the same on both sides (123-45-6789, 123 45 6789, 123.45.6789) or absent.
const SSN = /(?<![0-9A-Za-z_\-.])\d{3}(?:-\d{2}-|\.\d{2}\.| \d{2} |\d{2})\d{4}(?![0-9A-Za-z_]|[-.]\d)/g;

// Numbers the SSA never issued or that were published as examples (Woolworth wallet card, ads, test data).
const SAMPLES = new Set(['078051120', '219099999', '123456789', '111111111', '333333333', '457555462']);

/** SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000; not a known sample. */
export function ssnValid(d: string): boolean {
  if (d.length !== 9) return false;
  const area = d.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
  return !SAMPLES.has(d);
}

export const usSsn: Recognizer = {
  name: 'us_ssn_ssa',
  entity: 'US_SSN',
  patterns: [SSN],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    SSN.lastIndex = 0;
    for (let m = SSN.exec(text); m; m = SSN.exec(text)) {
      const raw = m[0];
      const bare = raw.length === 9;
      const d = bare ? raw : raw.slice(0, 3) + raw.slice(4, 6) + raw.slice(7);
      if (!ssnValid(d)) continue;
      const start = m.index;
      const end = start + raw.length;
      const context = hasContext(text, start, end, CONTEXT, ctx);
      if (bare && !context) continue; // nine bare digits are an SSN only when something says so
      const base = bare ? 0.7 : raw[3] === '-' ? 0.85 : 0.6;
      out.push({ type: 'US_SSN', start, end, score: boost(base, context, 0.25), recognizer: this.name });
    }
  },
};
