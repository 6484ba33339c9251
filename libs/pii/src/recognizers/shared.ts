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
