import type { Policy } from './policy/types.js';
import type { EntityType, Finding } from './types.js';
import { parsePath, type PathStep } from './json-path.js';

export type PathSegment = string | number;

interface PathRule {
  segments: PathStep[];
  entities?: readonly EntityType[];
}

const applies = (entities: readonly EntityType[] | undefined, t: EntityType) => !entities || entities.includes(t);

/** The whitelist of one policy, compiled once per engine. */
export class Whitelist {
  private readonly paths: PathRule[];
  private readonly columns: Array<{ name: string; entities?: readonly EntityType[] }>;
  private readonly keys: Array<{ name: string; entities?: readonly EntityType[] }>;
  private readonly patterns: Array<{ re: RegExp; entities?: readonly EntityType[] }>;

  constructor(policy: Policy) {
    this.paths = [];
    this.columns = [];
    this.keys = [];
    for (const c of policy.whitelist_contexts) {
      if (c.json_path) {
        const segments = parsePath(c.json_path);
        if (segments) this.paths.push({ segments, entities: c.entities });
      }
      if (c.column) this.columns.push({ name: c.column.trim().toLowerCase(), entities: c.entities });
      if (c.key) this.keys.push({ name: c.key.trim().toLowerCase(), entities: c.entities });
    }
    this.patterns = policy.whitelist_patterns.map((p) => ({ re: new RegExp(`^(?:${p.pattern})$`), entities: p.entities }));
  }

  get empty(): boolean {
    return !this.paths.length && !this.columns.length && !this.keys.length && !this.patterns.length;
  }

  /** The value itself is allowed (whole-finding match). */
  valueAllowed(value: string, type: EntityType): boolean {
    for (const p of this.patterns) if (applies(p.entities, type) && p.re.test(value)) return true;
    return false;
  }

  columnAllowed(header: string, type: EntityType): boolean {
    const h = header.trim().toLowerCase();
    return this.columns.some((c) => c.name === h && applies(c.entities, type));
  }

  keyAllowed(key: string, type: EntityType): boolean {
    const k = key.toLowerCase();
    return this.keys.some((c) => c.name === k && applies(c.entities, type));
  }

  pathAllowed(path: readonly PathSegment[], type: EntityType): boolean {
    outer: for (const rule of this.paths) {
      if (!applies(rule.entities, type) || rule.segments.length !== path.length) continue;
      for (let i = 0; i < path.length; i++) {
        const r = rule.segments[i]!;
        const p = path[i]!;
        const ok = typeof r === 'object' ? (r.wildcard === 'key' ? typeof p === 'string' : typeof p === 'number') : r === p;
        if (!ok) continue outer;
      }
      return true;
    }
    return false;
  }

  /** A `Key: value` label right before the finding on its line (also `"key": "value"` and `key=value`). */
  labelAllowed(text: string, f: Finding): boolean {
    if (!this.keys.length) return false;
    const lineStart = text.lastIndexOf('\n', f.start - 1) + 1;
    let e = f.start;
    while (e > lineStart && ' \t:：="\''.includes(text[e - 1]!)) e--;
    const before = text.slice(Math.max(lineStart, e - 64), e).toLowerCase();
    return this.keys.some((k) => {
      if (!applies(k.entities, f.type) || !before.endsWith(k.name)) return false;
      const c = before[before.length - k.name.length - 1];
      return c === undefined || !/[a-z0-9_]/.test(c);
    });
  }
}
