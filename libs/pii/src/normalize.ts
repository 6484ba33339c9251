const WIDE = /[\u3000\uFF01-\uFF5E]/;
const WIDE_G = /[\u3000\uFF01-\uFF5E]/g;

/**
 * Maps full-width ASCII (U+FF01-FF5E) and the ideographic space to their ASCII forms. Every replaced character is
 * one UTF-16 unit on both sides, so offsets found in the normalised text are valid in the original: the
 * recognizers can stay ASCII-only and still catch `１３８００１３８０００` or `＋８６`.
 */
export function normalizeWidth(text: string): string {
  if (!WIDE.test(text)) return text;
  return text.replace(WIDE_G, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}
