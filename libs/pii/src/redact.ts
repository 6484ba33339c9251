import type { Operator } from './operators.js';
import type { EntityType, Finding } from './types.js';

/** Applies the operators to `text`; `escape` lets Markdown keep table cells intact. */
export function applyRedactions(text: string, findings: readonly Finding[], op: (t: EntityType) => Operator, escape?: (s: string) => string): string {
  if (!findings.length) return text;
  let out = '';
  let last = 0;
  for (const f of findings) {
    const replacement = op(f.type)(text.slice(f.start, f.end), f.type);
    out += text.slice(last, f.start) + (escape ? escape(replacement) : replacement);
    last = f.end;
  }
  return out + text.slice(last);
}
