import { PRIORITY } from './recognizers/index.js';
import type { Finding } from './types.js';

function better(a: Finding, b: Finding): number {
  return b.score - a.score || b.end - b.start - (a.end - a.start) || PRIORITY[a.type] - PRIORITY[b.type];
}

/**
 * Resolves overlapping findings to one per region: higher score, then longer span, then recognizer priority
 * (so a UnionPay card found by both card recognizers is reported once, as CN_BANK_CARD). Works cluster by cluster
 * so that a document with many findings stays O(n log n).
 */
export function resolveOverlaps(findings: Finding[]): Finding[] {
  if (findings.length < 2) return findings;
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  let cluster: Finding[] = [];
  let clusterEnd = -1;
  const flush = () => {
    if (cluster.length === 1) out.push(cluster[0]!);
    else if (cluster.length > 1) {
      const kept: Finding[] = [];
      for (const f of cluster.sort(better)) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
      out.push(...kept.sort((a, b) => a.start - b.start));
    }
    cluster = [];
  };
  for (const f of findings) {
    if (f.start >= clusterEnd) {
      flush();
      clusterEnd = f.end;
    } else clusterEnd = Math.max(clusterEnd, f.end);
    cluster.push(f);
  }
  flush();
  return out;
}
