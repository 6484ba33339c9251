import { Transform, type Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';
import { createGuardedAgent, toCidrs, type GuardedAgentOptions } from './agent.js';
import { resolveVetted } from './resolver.js';
import { isIpLiteral } from './address-policy.js';
import { checkUrl } from './url-policy.js';
import { EgressDeniedError } from './errors.js';

export interface FetchGuardedOptions extends GuardedAgentOptions {
  maxBytes: number;
  timeoutMs: number;
  /** http:// allowed; defaults to DPH_ENV=development. */
  allowHttp?: boolean;
  headers?: Record<string, string>;
  /** Reuse one agent across calls (its allowlist and resolver then apply, not the ones above). */
  dispatcher?: Dispatcher;
}

export interface GuardedResponse {
  status: number;
  contentType: string | undefined;
  contentLength: number | undefined;
  /** The body, limited to maxBytes: the stream errors with source_too_large past the cap. */
  body: Readable;
  readAll(): Promise<Buffer>;
}

export const isDevelopment = (): boolean => process.env.DPH_ENV === 'development';

const agents = new Map<string, Dispatcher>();
function agentFor(opts: FetchGuardedOptions): Dispatcher {
  if (opts.dispatcher) return opts.dispatcher;
  if (opts.resolveAll || opts.ca) return createGuardedAgent(opts);
  const key = toCidrs(opts.allowCidrs).map(([a, b]) => `${a.toString()}/${b}`).join(',');
  let agent = agents.get(key);
  if (!agent) {
    agent = createGuardedAgent({ allowCidrs: opts.allowCidrs, connections: 16 });
    agents.set(key, agent);
  }
  return agent;
}

/** Drops a body we will not read; the abort it causes is expected and must not surface as an unhandled error. */
export function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function tooLarge(): DphError {
  return new DphError(ERROR_CODES.sourceTooLarge, 'source exceeds the size limit', { status: 413, retryable: false });
}

function fetchFailed(reason: string, retryable: boolean, status?: number): DphError {
  return new DphError(ERROR_CODES.sourceFetchFailed, `source fetch failed: ${reason}`, {
    status: 502,
    retryable,
    details: status === undefined ? { reason } : { reason, status },
  });
}

/**
 * Fetches a document (presigned_url sources) through the SSRF guard: URL policy, vetted resolution, connection to
 * the vetted address, no redirects, a deadline for the whole exchange and a streaming size cap.
 */
export async function fetchGuarded(input: string | URL, opts: FetchGuardedOptions): Promise<GuardedResponse> {
  const { url, host } = checkUrl(input, { allowHttp: opts.allowHttp ?? isDevelopment() });
  // IP literals never reach the lookup hook (net.connect skips it), so vet them here; names are vetted inside the
  // connection's lookup, which is the resolution actually connected to.
  if (!opts.dispatcher) await vetLiteral(host, opts);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, { method: 'GET', headers: opts.headers, dispatcher: agentFor(opts), signal });
  } catch (err) {
    throw mapTransportError(err, signal);
  }
  if (res.statusCode >= 300 && res.statusCode < 400) {
    discard(res.body);
    throw new EgressDeniedError('redirect');
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    discard(res.body);
    const retryable = res.statusCode >= 500 || res.statusCode === 429;
    throw fetchFailed('status', retryable, res.statusCode);
  }
  const lenHeader = res.headers['content-length'];
  const contentLength = typeof lenHeader === 'string' ? Number(lenHeader) : undefined;
  if (contentLength !== undefined && contentLength > opts.maxBytes) {
    discard(res.body);
    throw tooLarge();
  }
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > opts.maxBytes) cb(tooLarge());
      else cb(null, chunk);
    },
  });
  res.body.on('error', (err) => limiter.destroy(mapTransportError(err, signal)));
  limiter.on('error', () => res.body.destroy());
  const body = res.body.pipe(limiter);
  const ct = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: typeof ct === 'string' ? ct : undefined,
    contentLength,
    body,
    async readAll() {
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(chunk as Buffer);
      return Buffer.concat(parts);
    },
  };
}

async function vetLiteral(host: string, opts: FetchGuardedOptions): Promise<void> {
  if (isIpLiteral(host)) await resolveVetted(host, toCidrs(opts.allowCidrs));
}

/** Maps transport failures to stable errors without copying their messages (they carry hosts and addresses). */
export function mapTransportError(err: unknown, signal?: AbortSignal): DphError {
  if (err instanceof DphError) return err;
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof DphError) return cause;
  if (signal?.aborted || (err as { name?: string })?.name === 'TimeoutError') return fetchFailed('timeout', true);
  const code = (err as { code?: string })?.code ?? '';
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return fetchFailed('tls', false);
  }
  return fetchFailed('connect', true);
}
