/**
 * Turns bytes that are meant to be text into a string: UTF-8 (with or without BOM), UTF-16 with a BOM, and
 * otherwise Latin-1 when the bytes hold no control characters that only binary formats use.
 * Returns null for bytes that are not text.
 */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (looksBinary(bytes)) return null;
  try {
    return normalizeNewlines(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return normalizeNewlines(new TextDecoder('latin1').decode(bytes));
  }
}

export function normalizeNewlines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/** NUL or many C0 controls in the first 8 KiB mark a binary file. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) controls++;
  }
  return n > 0 && controls / n > 0.02;
}
