import type { ScanContext } from './types.js';

/** How far before (and after) a match context words are looked for, in UTF-16 units. */
const BEFORE = 40;
const AFTER = 16;

/**
 * True when one of `words` (lower-case) appears shortly before or after [start, end) or in the caller's extra
 * context (a column header or key name). Substring search, not word search, because Chinese has no spaces.
 */
export function hasContext(text: string, start: number, end: number, words: readonly string[], ctx: ScanContext): boolean {
  // Lower-cased, and "_" read as a space so that keys such as id_card or card_no count.
  const around = (text.slice(Math.max(0, start - BEFORE), start) + ' ' + text.slice(end, end + AFTER)).toLowerCase().replaceAll('_', ' ');
  const extra = ctx.extraContext;
  for (const w of words) {
    if (around.includes(w)) return true;
    if (extra && extra.includes(w)) return true;
  }
  return false;
}

/** Like hasContext but only before the match: labels such as "version" or "订单号" precede what they name. */
export function hasContextBefore(text: string, start: number, words: readonly string[], window = 24): boolean {
  const before = text.slice(Math.max(0, start - window), start).toLowerCase();
  for (const w of words) if (before.includes(w)) return true;
  return false;
}

export function boost(score: number, yes: boolean, by = 0.15): number {
  return yes ? Math.min(1, score + by) : score;
}
