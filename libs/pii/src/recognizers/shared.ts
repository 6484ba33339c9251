import { digitsOf } from '../checksums.js';

/**
 * Digit-group candidates (13-19 digits, single space or dash between groups) shared by the card recognizers.
 * Letters, digits and underscores around a candidate disqualify it (tracking codes such as SF1234567890123);
 * CJK characters do not, so `卡号6222...` still matches.
 */
export const CARD_CANDIDATE = /(?<![0-9A-Za-z_])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z_])/g;

/** Group layouts people write cards in; anything else (e.g. 3-3-4-... phone-like runs) is not a card. */
const CARD_LAYOUTS = new Set([
  '4-4-4-4', '4-4-4-4-3', '4-4-4-4-2', '4-4-4-4-1', '4-6-5', '4-6-4', '4-4-4-1', '4-4-4-2', '4-4-4-3', '4-4-5',
  '6-13', '6-12', '6-10', '4-4-4-4-4', '4-4-4-7',
]);

export interface CardShape {
  digits: string;
  separated: boolean;
}

/** Checks separator consistency and the group layout; returns the bare digits or null. */
export function cardShape(raw: string): CardShape | null {
  const hasSpace = raw.includes(' ');
  const hasDash = raw.includes('-');
  if (hasSpace && hasDash) return null;
  if (!hasSpace && !hasDash) return { digits: raw, separated: false };
  const groups = raw.split(hasSpace ? ' ' : '-');
  const layout = groups.map((g) => g.length).join('-');
  if (!CARD_LAYOUTS.has(layout)) return null;
  return { digits: digitsOf(raw), separated: true };
}

export interface CardCandidate {
  start: number;
  end: number;
  shape: CardShape;
}

let lastText: string | undefined;
let lastCandidates: CardCandidate[] = [];

/**
 * Card-shaped candidates of `text`, computed once for both card recognizers (they run one after the other on
 * the same string; the identity check makes the cache hit free and a different text recomputes).
 */
export function cardCandidates(text: string): readonly CardCandidate[] {
  if (text === lastText) return lastCandidates;
  const out: CardCandidate[] = [];
  CARD_CANDIDATE.lastIndex = 0;
  for (let m = CARD_CANDIDATE.exec(text); m; m = CARD_CANDIDATE.exec(text)) {
    const shape = cardShape(m[0]);
    if (shape) out.push({ start: m.index, end: m.index + m[0].length, shape });
  }
  lastText = text;
  lastCandidates = out;
  return out;
}
