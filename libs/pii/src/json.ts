import type { EngineCore } from './engine.js';
import { applyRedactions } from './redact.js';
import type { Finding } from './types.js';
import type { PathSegment } from './whitelist.js';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(path: readonly PathSegment[]): string {
  let s = '$';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : IDENT.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return s;
}

/**
 * Redacts every string (and long integer) in a JSON value. Each leaf is scanned with its key as context; the
 * whitelist may allow it by JSON path or key name. Object keys are scanned as well, and child paths use the
 * redacted key, so a reported path never carries a value. Findings carry `path`; offsets are into the leaf.
 */
export function redactJsonWith(core: EngineCore, value: unknown): { value: unknown; findings: Finding[] } {
  const findings: Finding[] = [];
  const leaf = (text: string, path: PathSegment[], key: string): string => {
    const allowed = (f: Finding) => !core.whitelist.pathAllowed(path, f.type) && !(key && core.whitelist.keyAllowed(key, f.type));
    const found = core.scan(text, key, allowed);
    if (!found.length) return text;
    const p = formatPath(path);
    for (const f of found) findings.push({ ...f, path: p });
    return applyRedactions(text, found, core.operatorFor);
  };
  const walk = (v: unknown, path: PathSegment[], key: string): unknown => {
    if (typeof v === 'string') return leaf(v, path, key);
    if (typeof v === 'number') {
      // Long integers can be card or phone numbers written without quotes.
      if (!Number.isInteger(v) || Math.abs(v) < 1e6) return v;
      const s = String(v);
      const r = leaf(s, path, key);
      return r === s ? v : r;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i], key));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const found = core.scan(k, '', () => true);
        let name = k;
        if (found.length) {
          const p = formatPath(path) + '.{key}';
          for (const f of found) findings.push({ ...f, path: p });
          name = applyRedactions(k, found, core.operatorFor);
        }
        out[name] = walk(x, [...path, name], name);
      }
      return out;
    }
    return v;
  };
  return { value: walk(value, [], ''), findings };
}
