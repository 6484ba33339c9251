import type { EngineAdapter, EngineRequest, EngineResult } from './types.js';
import { engineFetch } from './http.js';
import { emptyContent, parseFailed } from '../errors.js';

export interface MineruOptions {
  /** e.g. http://mineru-api:8000 */
  baseUrl: string;
  /** pipeline (default), vlm-http-client, ... */
  backend?: string;
  langList?: string[];
  timeoutMs?: number;
}

interface FileParseResponse {
  results?: Record<string, { md_content?: string | null }>;
}

/**
 * MinerU's HTTP API (mineru-api): one synchronous POST /file_parse with multipart `files` and form options;
 * the JSON answer holds results keyed by the file's stem, each with md_content when return_md is set.
 * Scans are sent with parse_method=ocr, everything else with auto.
 */
export function mineruAdapter(o: MineruOptions): EngineAdapter {
  const base = o.baseUrl.replace(/\/+$/, '');
  return {
    name: 'mineru',
    async convert(req: EngineRequest): Promise<EngineResult> {
      const form = new FormData();
      form.append('files', new Blob([new Uint8Array(req.bytes)]), req.filename);
      form.append('backend', o.backend ?? 'pipeline');
      form.append('parse_method', req.documentType === 'pdf-scan' ? 'ocr' : 'auto');
      for (const l of o.langList ?? ['ch']) form.append('lang_list', l);
      form.append('return_md', 'true');
      form.append('response_format_zip', 'false');
      const r = (await engineFetch('mineru', `${base}/file_parse`, { method: 'POST', body: form }, { timeoutMs: o.timeoutMs ?? 600_000, signal: req.signal })) as FileParseResponse;
      const results = Object.values(r.results ?? {});
      if (results.length === 0) throw parseFailed('engine mineru returned no result');
      const md = results.map((x) => x.md_content ?? '').join('\n\n');
      if (!md.trim()) throw emptyContent('engine found no text in the document');
      return { markdown: md, warnings: [] };
    },
  };
}
