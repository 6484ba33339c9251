import type { EngineAdapter, EngineRequest, EngineResult } from './types.js';
import { engineFetch, sleep } from './http.js';
import { emptyContent, engineUnavailable, parseFailed } from '../errors.js';

export interface DoclingOptions {
  /** e.g. http://docling-serve:5001 */
  baseUrl: string;
  apiKey?: string | undefined;
  /** Whole conversion budget (submit + polls + result). */
  timeoutMs?: number;
  /** Long-poll wait the server holds each status request for, in seconds. */
  pollWaitSeconds?: number;
  requestTimeoutMs?: number;
}

interface TaskStatus {
  task_id: string;
  task_status: string;
}
interface ConvertResponse {
  document?: { md_content?: string | null };
  status?: string;
}

/**
 * docling-serve's async API: POST /v1/convert/file/async (multipart `files` plus options as form fields) →
 * task id; GET /v1/status/poll/{id}?wait=N until success/failure; GET /v1/result/{id} once, immediately,
 * because results are single-use by default (a second fetch is a 404).
 */
export function doclingAdapter(o: DoclingOptions): EngineAdapter {
  const base = o.baseUrl.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 300_000;
  const wait = o.pollWaitSeconds ?? 5;
  const reqTimeout = o.requestTimeoutMs ?? 30_000;
  const headers: Record<string, string> = o.apiKey ? { 'X-Api-Key': o.apiKey } : {};
  return {
    name: 'docling',
    async convert(req: EngineRequest): Promise<EngineResult> {
      const deadline = Date.now() + timeoutMs;
      const form = new FormData();
      form.append('files', new Blob([new Uint8Array(req.bytes)]), req.filename);
      form.append('to_formats', 'md');
      form.append('image_export_mode', 'placeholder');
      form.append('do_ocr', 'true');
      if (req.documentType === 'pdf-scan') form.append('force_ocr', 'true');
      const http = { timeoutMs: reqTimeout, headers, signal: req.signal };
      const task = (await engineFetch('docling', `${base}/v1/convert/file/async`, { method: 'POST', body: form }, http)) as TaskStatus;
      if (!task?.task_id) throw engineUnavailable('docling', new Error('no task id'));
      let status = task.task_status;
      while (status !== 'success' && status !== 'failure') {
        if (Date.now() > deadline) throw engineUnavailable('docling', new Error('conversion timed out'));
        const s = (await engineFetch('docling', `${base}/v1/status/poll/${encodeURIComponent(task.task_id)}?wait=${wait}`, { method: 'GET' }, { ...http, timeoutMs: reqTimeout + wait * 1000 })) as TaskStatus;
        status = s.task_status;
        if (status !== 'success' && status !== 'failure' && wait === 0) await sleep(500, req.signal);
      }
      if (status === 'failure') throw parseFailed('engine docling could not convert the document');
      const r = (await engineFetch('docling', `${base}/v1/result/${encodeURIComponent(task.task_id)}`, { method: 'GET' }, { ...http, timeoutMs: Math.max(reqTimeout, 60_000) })) as ConvertResponse;
      if (r.status === 'failure') throw parseFailed('engine docling could not convert the document');
      const md = r.document?.md_content ?? '';
      if (!md.trim()) throw emptyContent('engine found no text in the document');
      return { markdown: md, warnings: r.status === 'partial_success' ? ['engine_partial_success:docling'] : [] };
    },
  };
}
