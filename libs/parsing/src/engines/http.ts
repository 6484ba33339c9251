import { engineUnavailable, parseFailed } from '../errors.js';

export interface HttpOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/**
 * One request to an engine. Connection errors, timeouts and 5xx/429 mean "engine unavailable" (transient);
 * other 4xx mean the engine refused this document. Engine error bodies are not copied into messages: they may
 * quote the document.
 */
export async function engineFetch(engine: string, url: string, init: RequestInit, opts: HttpOptions): Promise<unknown> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...opts.headers, ...(init.headers as Record<string, string>) }, signal: AbortSignal.any(signals), redirect: 'error' });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw engineUnavailable(engine, err);
  }
  if (res.status >= 500 || res.status === 429 || res.status === 404) {
    await res.body?.cancel();
    // 404 on a known path means a wrong base URL or a result already consumed: not the document's fault.
    throw engineUnavailable(engine, new Error(`HTTP ${res.status}`));
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw parseFailed(`engine ${engine} rejected the document (HTTP ${res.status})`);
  }
  try {
    return await res.json();
  } catch (err) {
    throw engineUnavailable(engine, err);
  }
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
