import { normalizeWidth } from './normalize.js';
import { buildOperators, type Operator } from './operators.js';
import { resolveOverlaps } from './overlap.js';
import { defaultPolicy } from './policy/load.js';
import type { Policy } from './policy/types.js';
import { RECOGNIZERS } from './recognizers/index.js';
import type { EntityType, Finding, ScanContext } from './types.js';
import { Whitelist } from './whitelist.js';
import { redactMarkdownWith } from './markdown.js';
import { redactJsonWith } from './json.js';
import { applyRedactions } from './redact.js';

export interface ScanOptions {
  /** A column header or key name the text sits under: it counts as context and may whitelist findings. */
  context?: string;
}

export interface PiiEngine {
  readonly policy: Policy;
  /** Findings above the scene threshold that the whitelist does not allow, sorted by start. */
  scanText(text: string, options?: ScanOptions): Finding[];
  redactText(text: string, options?: ScanOptions): { text: string; findings: Finding[] };
  redactMarkdown(markdown: string): { markdown: string; findings: Finding[] };
  redactJson(value: unknown): { value: unknown; findings: Finding[] };
}

export interface EngineOptions {
  /** Where pseudonymisation secrets are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Internal surface shared by the Markdown and JSON walkers. */
export interface EngineCore {
  whitelist: Whitelist;
  scan(text: string, context: string, allowed: (f: Finding) => boolean): Finding[];
  operatorFor(type: EntityType): Operator;
}

export function createEngine(policy: Policy = defaultPolicy(), options: EngineOptions = {}): PiiEngine {
  const enabled = RECOGNIZERS.filter((r) => policy.entities.includes(r.entity));
  const threshold = policy.score_threshold;
  const whitelist = new Whitelist(policy);
  const operatorFor = buildOperators(policy, options.env ?? process.env);
  const baseCtx = { phoneRegions: policy.phone_regions };

  const scan = (text: string, context: string, allowed: (f: Finding) => boolean): Finding[] => {
    if (!text) return [];
    const norm = normalizeWidth(text);
    const ctx: ScanContext = { ...baseCtx, extraContext: context.toLowerCase().replaceAll('_', ' ') };
    const raw: Finding[] = [];
    for (const r of enabled) r.find(norm, ctx, raw);
    const resolved = resolveOverlaps(raw);
    const out: Finding[] = [];
    for (const f of resolved) {
      if (f.score < threshold) continue;
      if (!whitelist.empty && (whitelist.valueAllowed(text.slice(f.start, f.end), f.type) || whitelist.labelAllowed(text, f))) continue;
      if (!allowed(f)) continue;
      f.score = Math.round(f.score * 100) / 100;
      out.push(f);
    }
    return out;
  };
  const core: EngineCore = { whitelist, scan, operatorFor };

  const contextAllowed = (context: string | undefined) =>
    context ? (f: Finding) => !whitelist.keyAllowed(context, f.type) && !whitelist.columnAllowed(context, f.type) : () => true;

  return Object.freeze({
    policy,
    scanText: (text: string, o: ScanOptions = {}) => scan(text, o.context ?? '', contextAllowed(o.context)),
    redactText(text: string, o: ScanOptions = {}) {
      const findings = scan(text, o.context ?? '', contextAllowed(o.context));
      return { text: applyRedactions(text, findings, operatorFor), findings };
    },
    redactMarkdown: (markdown: string) => redactMarkdownWith(core, markdown),
    redactJson: (value: unknown) => redactJsonWith(core, value),
  });
}
