import type { Doc, Gold } from './generate.js';
import type { GoldType } from './values.js';

export interface Pred {
  type: string;
  start: number;
  end: number;
  score: number;
}

export interface Row {
  type: GoldType;
  gold: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f2: number;
  exact: number;
  leaked: number;
  goldChars: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Scores one tool. `supported` are the types the tool claims; gold spans of other types (and, when
 * `neutralWhitelist`, whitelisted spans the tool cannot know about) neither reward nor penalise a prediction
 * that overlaps them. A prediction is a true positive when it overlaps a gold span of its type.
 */
export function score(docs: readonly Doc[], preds: ReadonlyMap<string, readonly Pred[]>, supported: readonly GoldType[], neutralWhitelist: boolean): Row[] {
  const rows = new Map<GoldType, Row>(supported.map((t) => [t, { type: t, gold: 0, tp: 0, fp: 0, fn: 0, precision: 0, recall: 0, f2: 0, exact: 0, leaked: 0, goldChars: 0 }]));
  const sup = new Set<string>(supported);
  for (const d of docs) {
    const ps = (preds.get(d.id) ?? []).filter((p) => sup.has(p.type));
    const positives = d.gold.filter((g) => !g.whitelisted && sup.has(g.type));
    const neutral: Gold[] = d.gold.filter((g) => !sup.has(g.type) || (neutralWhitelist && g.whitelisted));
    for (const g of positives) {
      const row = rows.get(g.type)!;
      row.gold++;
      const hits = ps.filter((p) => p.type === g.type && overlaps(p, g));
      if (hits.length) {
        if (hits.some((p) => p.start === g.start && p.end === g.end)) row.exact++;
      } else row.fn++;
      // Leak: characters of the value that no prediction (of any type) covers.
      row.goldChars += g.end - g.start;
      for (let i = g.start; i < g.end; i++) if (!ps.some((p) => p.start <= i && i < p.end)) row.leaked++;
    }
    for (const p of ps) {
      const row = rows.get(p.type as GoldType)!;
      if (positives.some((g) => g.type === p.type && overlaps(p, g))) row.tp++;
      else if (neutral.some((g) => overlaps(p, g))) continue;
      else row.fp++;
    }
  }
  for (const row of rows.values()) {
    row.precision = row.tp + row.fp ? row.tp / (row.tp + row.fp) : 1;
    row.recall = row.gold ? (row.gold - row.fn) / row.gold : 1;
    const { precision: p, recall: r } = row;
    row.f2 = p + r ? (5 * p * r) / (4 * p + r) : 0;
    row.exact = row.gold - row.fn ? row.exact / (row.gold - row.fn) : 0;
  }
  return [...rows.values()];
}

export function table(title: string, rows: readonly Row[]): string {
  const f = (x: number) => x.toFixed(4);
  const lines = [
    title,
    '| type | gold | TP | FP | FN | precision | recall | F2 | exact boundary | leaked chars |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.type} | ${r.gold} | ${r.tp} | ${r.fp} | ${r.fn} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.f2)} | ${f(r.exact)} | ${r.leaked}/${r.goldChars} |`),
  ];
  return lines.join('\n');
}
