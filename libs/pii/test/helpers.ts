import { createEngine, parsePolicy, type EntityType, type Finding } from '../src/index.js';

/** Findings of one entity type only (all others disabled), as [type, value] pairs for readable assertions. */
export function only(type: EntityType, text: string, extra: Record<string, unknown> = {}): string[] {
  const e = createEngine(parsePolicy({ version: 1, scene: 't', entities: [type], ...extra }));
  return e.scanText(text).map((f) => text.slice(f.start, f.end));
}

export function all(text: string): Array<[string, string]> {
  return createEngine().scanText(text).map((f: Finding) => [f.type, text.slice(f.start, f.end)]);
}

/** Appends the Luhn check digit (independent of the engine's implementation). */
export function withLuhn(body: string): string {
  for (let c = 0; c <= 9; c++) {
    const s = body + c;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let d = Number(s[s.length - 1 - i]);
      if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

/** Appends the GB 11643 check character to 17 digits. */
export function withIdCheck(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * w[i]!;
  return first17 + '10X98765432'[s % 11];
}
